using System.Runtime.CompilerServices;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Testing.Fakes;

/// <summary>
/// The test <see cref="ILauncher"/>: plays <see cref="Script"/> for the n-th launch (by default "Server requested",
/// then <see cref="Outcome"/> or a ready event at <c>http://127.0.0.1:{9000 + n}/</c> with token <c>token-{n}</c>).
/// Counts calls and records the images asked for. The default ready event names its server (<c>server-{n}</c>), and
/// <see cref="StopAsync"/> records the servers it is asked to stop.
/// </summary>
public sealed class FakeLauncher : ILauncher
{
    private readonly List<string> _images = [];
    private int _calls;
    private int _finds;

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<string> Images
    {
        get { lock (_images) return [.. _images]; }
    }

    public BinderEvent? Outcome { get; set; }

    /// <summary>Holds the default launch's terminal event back until completed (the server is still starting).</summary>
    public TaskCompletionSource ReadyGate { get; set; } = CompletedGate();

    /// <summary>Servers whose <c>ready</c> was yielded, by <see cref="BinderEvent.Server"/>.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Readied { get; } = new();

    /// <summary>Servers stopped through <see cref="StopAsync"/>.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Stopped { get; } = new();

    /// <summary>
    /// Servers by launch session, as <see cref="FindExistingAsync"/> finds them: the default launch adds its ready event
    /// as soon as it is asked (the server exists before it answers); a test may add its own.
    /// </summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, BinderEvent> BySession { get; } = new();

    /// <summary>How often <see cref="FindExistingAsync"/> was asked.</summary>
    public int Finds => Volatile.Read(ref _finds);

    /// <summary>Events of a launch, given the request and the launch's number (from 1).</summary>
    public Func<LaunchRequest, int, IEnumerable<BinderEvent>>? Script { get; set; }

    /// <summary>A launcher that answers only <c>ready</c> at once, at <paramref name="url"/>.</summary>
    public static FakeLauncher Instant(string url, string token) =>
        new() { Script = (_, _) => [new BinderEvent { Phase = BinderPhase.Ready, Url = url, Token = token }] };

    public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _calls);
        lock (_images) _images.Add(request.ImageName);
        await Task.Yield();
        if (Script is { } script)
        {
            foreach (var e in script(request, n)) yield return e;
            yield break;
        }
        var outcome = Outcome ?? new BinderEvent { Phase = BinderPhase.Ready, Url = $"http://127.0.0.1:{9000 + n}/", Token = $"token-{n}", Server = $"server-{n}" };
        if (request.SessionId is { } session && outcome.Phase == BinderPhase.Ready) BySession[session] = outcome;
        yield return BinderEvent.Of(BinderPhase.Launching, "Server requested");
        await ReadyGate.Task.WaitAsync(cancellationToken);
        if (outcome.Server is { } server) Readied.Enqueue(server);
        yield return outcome;
    }

    public Task<BinderEvent?> FindExistingAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _finds);
        return Task.FromResult(request.SessionId is { } session && BySession.TryGetValue(session, out var ready) ? ready : null);
    }

    public Task StopAsync(string server, CancellationToken cancellationToken)
    {
        Stopped.Enqueue(server);
        return Task.CompletedTask;
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }
}
