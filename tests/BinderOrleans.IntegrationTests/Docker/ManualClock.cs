namespace BinderOrleans.IntegrationTests.Docker;

/// <summary>Wall-clock time the test sets; timers are not used by what it drives.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
