namespace BinderOrleans.Tests.Kubernetes;

/// <summary>Real time, except that every timer fires after a few milliseconds: retry back-offs pass at once.</summary>
/// <remarks>
/// Not FakeTimeProvider: the build under test waits on back-offs and on real HTTP calls in one run, and the test cannot
/// tell when to advance a fake clock; here every wait is short while the rest runs on real time.
/// </remarks>
internal sealed class HurriedTime : TimeProvider
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.FromMilliseconds(5), period);
}
