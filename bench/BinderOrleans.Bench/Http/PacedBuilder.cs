using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using BinderOrleans.Bench.FanOut;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Bench.Http;

/// <summary>A builder that prints <c>lines</c> log lines, one every <c>pace</c>, like a slow docker build; it counts its calls per image.</summary>
internal sealed class PacedBuilder(BenchRegistry registry, int lines, TimeSpan pace) : IImageBuilder
{
    private readonly ConcurrentDictionary<string, int> _starts = new(StringComparer.Ordinal);

    public int Lines => lines;

    /// <summary>Builds started for the repository at <paramref name="repoUrl"/>.</summary>
    public int StartsFor(string repoUrl) => _starts.GetValueOrDefault(repoUrl);

    public async IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _starts.AddOrUpdate(request.RepoUrl, 1, (_, n) => n + 1);
        for (var i = 0; i < lines; i++)
        {
            await Task.Delay(pace, cancellationToken).ConfigureAwait(false);
            yield return BinderEvent.Of(BinderPhase.Building, $"Step {i}/{lines}: log line");
        }
        registry.Add(request.ImageName);
    }
}
