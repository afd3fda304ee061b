using System.Runtime.CompilerServices;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Testing.Fakes;

/// <summary>
/// The test <see cref="IImageBuilder"/>: waits for <see cref="Gate"/>, plays <see cref="Script"/> (three build steps
/// unless told otherwise), and, unless the script failed, adds the image to the registry it was given. Counts calls
/// and keeps the last request, and how many builds ran at once at most.
/// </summary>
public sealed class FakeImageBuilder(FakeImageRegistry? registry = null) : IImageBuilder
{
    private int _calls;
    private int _running;
    private int _maxRunning;
    private BuildRequest? _lastRequest;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The most builds that were inside <see cref="BuildAsync"/> at the same time.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public BuildRequest? LastRequest => Volatile.Read(ref _lastRequest);

    public TaskCompletionSource Gate { get; set; } = CompletedGate();

    public Func<BuildRequest, IEnumerable<BinderEvent>> Script { get; set; } =
        _ => [BinderEvent.Of(BinderPhase.Fetching, "cloning"), BinderEvent.Of(BinderPhase.Building, "Step 1/2"), BinderEvent.Of(BinderPhase.Building, "Step 2/2")];

    /// <summary>After the script, wait until cancelled (a build that goes silent).</summary>
    public bool HangAfterScript { get; set; }

    /// <summary>A builder whose every build fails with <paramref name="message"/> (status 500).</summary>
    public static FakeImageBuilder Failing(string message) => new() { Script = _ => [BinderEvent.Failed(message, 500)] };

    /// <summary>A builder that must never run: a build throws.</summary>
    public static FakeImageBuilder Refusing(string message) => new() { Script = _ => throw new InvalidOperationException(message) };

    public async IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Volatile.Write(ref _lastRequest, request);
        var running = Interlocked.Increment(ref _running);
        for (var max = MaxRunning; running > max; max = MaxRunning)
        {
            if (Interlocked.CompareExchange(ref _maxRunning, running, max) == max) break;
        }
        try
        {
            await Gate.Task.WaitAsync(cancellationToken);
            var failed = false;
            foreach (var e in Script(request))
            {
                failed |= e.Phase == BinderPhase.Failed;
                yield return e;
            }
            if (HangAfterScript) await Task.Delay(Timeout.Infinite, cancellationToken);
            if (!failed) registry?.Add(request.ImageName);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private static TaskCompletionSource CompletedGate()
    {
        var tcs = new TaskCompletionSource();
        tcs.SetResult();
        return tcs;
    }
}
