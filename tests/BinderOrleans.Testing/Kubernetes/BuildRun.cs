using System.Runtime.CompilerServices;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>One builder's stream, read in the background so the test can wait for progress and then for the end.</summary>
public sealed class BuildRun
{
    private readonly List<BinderEvent> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BuildRun(IAsyncEnumerable<BinderEvent> events, CancellationToken cancellationToken) =>
        Completion = Task.Run(() => ReadAsync(events, cancellationToken), CancellationToken.None);

    /// <summary>Ends when the stream ends; faults with the stream's exception (cancellation included).</summary>
    public Task Completion { get; }

    public static BuildRun Start(IImageBuilder builder, BuildRequest request, CancellationToken cancellationToken = default) =>
        new(builder.BuildAsync(request, cancellationToken), cancellationToken);

    public List<BinderEvent> Events
    {
        get { lock (_events) return [.. _events]; }
    }

    public async Task WaitForAsync(Func<List<BinderEvent>, bool> condition, TimeSpan timeout, [CallerArgumentExpression(nameof(condition))] string? what = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_events)
            {
                if (condition(_events)) return;
                changed = _changed.Task;
            }
            if (Completion.IsCompleted)
            {
                lock (_events) if (condition(_events)) return;
                throw new InvalidOperationException($"the build ended before {what}: {Describe(Events)}", Completion.Exception);
            }
            try
            {
                await Task.WhenAny(changed, Completion).WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{what} did not happen within {timeout}: {Describe(Events)}");
            }
        }
    }

    public async Task<List<BinderEvent>> FinishAsync(TimeSpan timeout)
    {
        try
        {
            await Completion.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the build did not end within {timeout}: {Describe(Events)}");
        }
        return Events;
    }

    public static string Describe(IEnumerable<BinderEvent> events) => string.Join(" | ", events.Select(BinderEventJson.Serialize));

    private async Task ReadAsync(IAsyncEnumerable<BinderEvent> events, CancellationToken cancellationToken)
    {
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            lock (_events)
            {
                _events.Add(e);
                var old = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                old.TrySetResult();
            }
        }
    }
}
