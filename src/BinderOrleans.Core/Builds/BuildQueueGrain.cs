using BinderOrleans.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// The one build queue of the cluster. Builds poll it while they wait and renew their slot while they run, so its
/// state rebuilds itself within a lease after its own silo is lost: on activation it asks which builds are under way
/// in the cluster and hands out no slot until those have renewed theirs (or a renewal period has passed), so the
/// concurrency limit holds across the loss.
/// </summary>
internal sealed partial class BuildQueueGrain(IOptions<BuildOptions> options, TimeProvider time, ILogger<BuildQueueGrain> logger) : Grain, IBuildQueueGrain
{
    private readonly BuildQueueBook _book = new(options.Value.ConcurrentLimit, options.Value.QueueSlotLease,
        TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, options.Value.QueuePollInterval.Ticks * 5)));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Running builds renew every third of a lease; half a lease leaves room for the call itself.
        var until = time.GetUtcNow() + options.Value.QueueSlotLease / 2;
        try
        {
            // A silo just lost may not answer; the queue must not stall the builds asking it meanwhile.
            _book.Expect(await BuildsUnderWayAsync(cancellationToken).WaitAsync(options.Value.QueueSlotLease / 3, time, cancellationToken), until);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not knowing who runs, assume anyone might: wait out one renewal period before handing out slots.
            LogBuildsUnknown(ex);
            _book.Expect([string.Empty], until);
        }
    }

    public ValueTask<int> EnterAsync(string imageName) => ValueTask.FromResult(_book.Enter(imageName, time.GetUtcNow()));

    public ValueTask RenewAsync(string imageName)
    {
        _book.Renew(imageName, time.GetUtcNow());
        return ValueTask.CompletedTask;
    }

    public ValueTask LeaveAsync(string imageName)
    {
        _book.Leave(imageName);
        return ValueTask.CompletedTask;
    }

    public ValueTask<BuildQueueState> GetStateAsync() => ValueTask.FromResult(_book.State(time.GetUtcNow()));

    /// <summary>Images whose build grain is active and runs in a slot that this new queue does not know of.</summary>
    private async Task<List<string>> BuildsUnderWayAsync(CancellationToken cancellationToken)
    {
        var buildType = GrainFactory.GetGrain<IBuildGrain>(IBuildQueueGrain.ClusterKey).GetGrainId().Type;
        var active = await GrainFactory.GetGrain<IManagementGrain>(0).GetActiveGrains(buildType).AsTask().WaitAsync(cancellationToken);
        var statuses = await Task.WhenAll(active.Select(async id =>
        {
            var image = id.Key.ToString()!;
            var status = await GrainFactory.GetGrain<IBuildGrain>(image).GetStatusAsync();
            return (image, status);
        })).WaitAsync(cancellationToken);
        return [.. statuses.Where(s => s.status is { HoldsSlot: true, Completed: false }).Select(s => s.image)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The build queue could not learn which builds run; it hands out no slot for one renewal period.")]
    private partial void LogBuildsUnknown(Exception exception);
}
