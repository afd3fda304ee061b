namespace BinderOrleans.Tests.Kubernetes;

/// <summary>Real time, except that every timer fires after a few milliseconds: retry back-offs pass at once.</summary>
internal sealed class HurriedTime : TimeProvider
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.FromMilliseconds(5), period);
}
