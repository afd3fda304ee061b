namespace BinderOrleans.Core.Streaming;

/// <summary>
/// One follower's resubscriptions to a grain stream: at most <see cref="GrainWatch.MaxResumes"/> lost watches in a row
/// are resumed. The count starts again whenever an event arrives, so a follower rides out any number of outages (rolling
/// restarts, a slow reader's aborted watches) as long as each one is over within its budget.
/// </summary>
internal sealed class ResumeBudget
{
    private int _lostInARow;

    /// <summary>An event arrived: the outage, if there was one, is over.</summary>
    public void Progress() => _lostInARow = 0;

    /// <summary>Counts a lost watch.</summary>
    /// <returns>How long to wait before subscribing again; null when this outage has used up its resumes.</returns>
    public TimeSpan? Lost()
    {
        if (_lostInARow >= GrainWatch.MaxResumes) return null;
        return GrainWatch.ResumeDelay(_lostInARow++);
    }
}
