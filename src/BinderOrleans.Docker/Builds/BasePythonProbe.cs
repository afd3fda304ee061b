using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// Finds which Python the base image has, by running <c>python3</c> in a short-lived container (removed afterwards).
/// The answer is cached per image id. Used to refuse a <c>runtime.txt</c> the base image cannot honour.
/// </summary>
internal sealed partial class BasePythonProbe(IDockerClient engine, IOptions<DockerOptions> options)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, string> _versions = new(StringComparer.Ordinal);

    /// <returns>The <c>X.Y</c> version, or an error.</returns>
    public async Task<(string? Version, string? Error)> GetVersionAsync(string imageId, CancellationToken cancellationToken)
    {
        if (_versions.TryGetValue(imageId, out var cached)) return (cached, null);

        var labels = new Dictionary<string, string>(options.Value.Labels, StringComparer.Ordinal) { [DockerLabels.Probe] = "python-version" };
        var id = await engine.CreateContainerAsync(new CreateContainerParameters
        {
            Image = imageId,
            Entrypoint = ["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            Cmd = [],
            Labels = labels,
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            await engine.StartContainerAsync(id, timeout.Token).ConfigureAwait(false);
            var exit = await engine.WaitContainerAsync(id, timeout.Token).ConfigureAwait(false);
            var output = (await engine.TailLogsAsync(id, 20, timeout.Token).ConfigureAwait(false) ?? "").Trim();
            if (exit != 0 || !Version().IsMatch(output))
            {
                return (null, $"python3 does not run in the base image (exit code {exit}): {output}");
            }
            _versions[imageId] = output;
            return (output, null);
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await engine.RemoveContainerIfExistsAsync(id, cleanup.Token).ConfigureAwait(false);
        }
    }

    /// <summary>True when the requested <c>X</c> or <c>X.Y</c> is satisfied by the available <c>X.Y</c>.</summary>
    public static bool Satisfies(string available, string requested) =>
        available == requested || (!requested.Contains('.') && available.StartsWith(requested + ".", StringComparison.Ordinal));

    [GeneratedRegex(@"^\d+\.\d+$")]
    private static partial Regex Version();
}
