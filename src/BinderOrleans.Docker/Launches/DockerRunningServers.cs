using BinderOrleans.Core.Launches;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Launches;

/// <summary>
/// The Docker launcher's servers: containers carrying its launch label (and every <c>Docker:Labels</c> label, so other
/// deployments on the same engine do not count) that are starting or running. A server's image is its launch-image
/// label, which holds the name it was launched by.
/// </summary>
internal sealed class DockerRunningServers : IRunningServers
{
    private readonly IDockerClient _engine;
    private readonly DockerOptions _options;

    public DockerRunningServers(IDockerClient engine, IOptions<DockerOptions> options)
    {
        _engine = engine;
        _options = options.Value;
    }

    public async Task<RunningServerList> ListAsync(CancellationToken cancellationToken)
    {
        var filters = new List<string> { DockerLabels.Launch };
        filters.AddRange(_options.Labels.Select(l => $"{l.Key}={l.Value}"));
        IList<ContainerListResponse> containers;
        try
        {
            containers = await _engine.ListContainersAsync(filters, all: true, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerEngineException ex)
        {
            return RunningServerList.Failed($"listing containers: {ex.Message}");
        }
        // "created" is a launch between create and start; exited or dead servers wait for the culler and do not count.
        return new RunningServerList(containers
            .Where(c => c.State is "created" or "running" or "restarting" or "paused")
            .Select(c => DockerLabels.Get(c.Labels, DockerLabels.LaunchImage) ?? c.Image)
            .ToList());
    }
}
