namespace BinderOrleans.Core.Streaming;

/// <summary>
/// The rule every follower of a grain stream shares (a launch grain following its build, a front end following its
/// session): which failures mean "the activation went away, subscribe again from the next index", and how often.
/// </summary>
internal static class GrainWatch
{
    /// <summary>
    /// Resubscriptions in a row, with no event between them, before a follower gives up with a <c>failed</c> event
    /// (<see cref="ResumeBudget"/>).
    /// </summary>
    public const int MaxResumes = 8;

    /// <summary>
    /// The activation is gone (deactivated, or its silo died) or unreachable for now: Orleans aborts the enumeration,
    /// rejects the message, or times the call out until the membership declares the silo dead.
    /// </summary>
    public static bool IsLostWatch(Exception ex) =>
        ex is EnumerationAbortedException or SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
            or Orleans.Runtime.OrleansException { InnerException: SiloUnavailableException };

    /// <summary>0.25 s, 0.5 s, 1 s, … capped at 4 s: about 20 s in all, longer than a dead silo takes to be voted out.</summary>
    public static TimeSpan ResumeDelay(int attempt) => TimeSpan.FromMilliseconds(Math.Min(4000, 250 << Math.Min(attempt, 4)));
}
