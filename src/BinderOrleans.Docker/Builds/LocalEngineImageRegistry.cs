using BinderOrleans.Core.Builds;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;

namespace BinderOrleans.Docker.Builds;

/// <summary>Without a registry, an image is "built" when the local engine has it (repo2docker's own reuse check).</summary>
internal sealed class LocalEngineImageRegistry(IDockerClient engine) : IImageRegistry
{
    public async Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken)
    {
        try
        {
            return await engine.FindImageAsync(imageName, cancellationToken).ConfigureAwait(false) is null ? ImageLookup.Missing : ImageLookup.Found;
        }
        catch (DockerEngineException ex)
        {
            return ImageLookup.Failed(ex.Message);
        }
    }
}
