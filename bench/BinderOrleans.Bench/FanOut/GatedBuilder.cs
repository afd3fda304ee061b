using System.Runtime.CompilerServices;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Bench.FanOut;

/// <summary>
/// A builder that waits for its gate, then emits a fixed list of log lines, yielding the thread after each one
/// (as a builder reading a pipe would), so every line is a separate wake-up for the watchers that wait for it.
/// </summary>
internal sealed class GatedBuilder : IImageBuilder
{
    private readonly BenchRegistry _registry;
    private int _invocations;

    public GatedBuilder(BenchRegistry registry, int lines)
    {
        _registry = registry;
        Lines = Enumerable.Range(0, lines).Select(i => BinderEvent.Of(BinderPhase.Building, $"Step {i}/{lines}: log line")).ToArray();
    }

    /// <summary>The events this builder emits, in order; the grain relays these very instances.</summary>
    public IReadOnlyList<BinderEvent> Lines { get; }

    public int Invocations => Volatile.Read(ref _invocations);

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _invocations);
        await Gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var line in Lines)
        {
            yield return line;
            await Task.Yield();
        }
        _registry.Add(request.ImageName);
    }
}
