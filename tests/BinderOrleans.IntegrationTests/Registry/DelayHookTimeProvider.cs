namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>
/// Real time, except that a timer due after exactly <paramref name="hookedDelay"/> (the retry delay) first runs
/// <paramref name="onDelay"/> and then fires at once: the test acts between two attempts without sleeping.
/// Not FakeTimeProvider: the test needs a hook at the moment the delay starts, while the HTTP calls around it run on
/// real time.
/// </summary>
internal sealed class DelayHookTimeProvider(TimeSpan hookedDelay, Func<Task> onDelay) : TimeProvider
{
    private int _hooks;

    public int Hooks => Volatile.Read(ref _hooks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime == hookedDelay)
        {
            Interlocked.Increment(ref _hooks);
            onDelay().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            dueTime = TimeSpan.Zero;
        }
        return System.CreateTimer(callback, state, dueTime, period);
    }
}
