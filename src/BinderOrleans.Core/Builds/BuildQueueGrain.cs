using BinderOrleans.Core.Options;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// The one build queue of the cluster. Builds poll it while they wait and renew their slot while they run, so its
/// state rebuilds itself within a lease after its own silo is lost (running builds re-take their slots on renewal).
/// </summary>
internal sealed class BuildQueueGrain(IOptions<BuildOptions> options, TimeProvider time) : Grain, IBuildQueueGrain
{
    private readonly BuildQueueBook _book = new(options.Value.ConcurrentLimit, options.Value.QueueSlotLease,
        TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, options.Value.QueuePollInterval.Ticks * 5)));

    public ValueTask<int> EnterAsync(string imageName) => ValueTask.FromResult(_book.Enter(imageName, time.GetUtcNow()));

    public ValueTask LeaveAsync(string imageName)
    {
        _book.Leave(imageName);
        return ValueTask.CompletedTask;
    }

    public ValueTask<BuildQueueState> GetStateAsync() => ValueTask.FromResult(_book.State(time.GetUtcNow()));
}
