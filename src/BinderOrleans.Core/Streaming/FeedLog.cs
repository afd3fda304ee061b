namespace BinderOrleans.Core.Streaming;

/// <summary>
/// One run (generation) of a build's log as this silo received it: the events by build index, shared by every reader on
/// the silo (sessions and front ends). When the run is lost (the build's silo went away and the build started again),
/// the log ends with <see cref="BuildRunLostException"/> and <see cref="Next"/> is the new run's log.
/// </summary>
public sealed class FeedLog
{
    internal FeedLog(string generation, int capacity, BinderEvent? notice)
    {
        Generation = generation;
        Events = new EventLog<BinderEvent>(capacity);
        Notice = notice;
    }

    /// <summary>The run of the build (<see cref="BuildLogEntry.Generation"/>).</summary>
    public string Generation { get; }

    /// <summary>The build's events; position = build log index.</summary>
    public EventLog<BinderEvent> Events { get; }

    /// <summary>A notice the build gave before its log (a failed build replayed), not part of the log.</summary>
    public BinderEvent? Notice { get; }

    /// <summary>The run that replaced this one, once this one was lost; null otherwise (or when none could be reached).</summary>
    public FeedLog? Next { get; private set; }

    internal void Lose(FeedLog? next)
    {
        Next = next;
        Events.Abort(new BuildRunLostException(Generation));
    }

    /// <summary>The first <c>built</c> or <c>failed</c> in <paramref name="events"/>, or -1: where a session's build stretch ends.</summary>
    public static int IndexOfEnd(ReadOnlySpan<BinderEvent> events)
    {
        for (var i = 0; i < events.Length; i++)
        {
            if (events[i].Phase is BinderPhase.Built or BinderPhase.Failed) return i;
        }
        return -1;
    }
}
