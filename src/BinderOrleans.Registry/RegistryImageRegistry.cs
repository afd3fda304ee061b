using BinderOrleans.Core.Builds;

namespace BinderOrleans.Registry;

/// <summary>"Is this image built?" answered by the registry's manifest; a failed lookup reads as missing, with the reason.</summary>
internal sealed class RegistryImageRegistry : IImageRegistry
{
    private readonly RegistryClient _client;

    public RegistryImageRegistry(RegistryClient client) => _client = client;

    public async Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken)
    {
        var result = await _client.CheckManifestAsync(RegistryImageName.Parse(imageName), cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            ManifestStatus.Found => ImageLookup.Found,
            ManifestStatus.NotFound => ImageLookup.Missing,
            _ => ImageLookup.Failed(result.Error ?? $"Registry {_client.Endpoint.Display} lookup failed."),
        };
    }
}
