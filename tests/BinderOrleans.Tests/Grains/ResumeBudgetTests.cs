using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.Tests.Grains;

/// <summary>
/// A session's watch is resumed after each aborted enumeration; the budget is per outage: it starts again whenever an
/// event gets through, so only an outage that no resume ends fails the session.
/// </summary>
public sealed class ResumeBudgetTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly LaunchSpec Spec = new("fake", "owner/repo/HEAD", "127.0.0.1", "http://127.0.0.1:8585/");

    [Fact]
    public async Task TwentyAborts_EachFollowedByAnEvent_NeverFailTheSession()
    {
        // Every watch delivers one event, then its activation goes away; the 21st watch ends the session.
        var grain = new AbortingLaunchGrain(eventsPerWatch: 1, abortedWatches: 20);
        var (entries, delays) = await WatchAsync(grain);

        Assert.Equal(21, grain.Watches);
        Assert.Equal(Enumerable.Range(0, 21), entries.Select(e => e.Index));
        Assert.DoesNotContain(entries, e => e.Event.Phase == BinderPhase.Failed);
        Assert.Equal(BinderPhase.Ready, entries[^1].Event.Phase);
        // Each outage is the first of its kind: the shortest back-off every time.
        Assert.Equal(Enumerable.Repeat(GrainWatch.ResumeDelay(0), 20), delays);
    }

    [Fact]
    public async Task NineAbortsInARow_WithNoEventBetween_FailWith503()
    {
        // One event, then nothing but aborted watches.
        var grain = new AbortingLaunchGrain(eventsPerWatch: 0, abortedWatches: 100, firstWatchEvents: 1);
        var (entries, delays) = await WatchAsync(grain);

        Assert.Equal(1 + GrainWatch.MaxResumes, grain.Watches);
        Assert.Equal(GrainWatch.MaxResumes, delays.Count);
        Assert.Equal(Enumerable.Range(0, GrainWatch.MaxResumes).Select(GrainWatch.ResumeDelay), delays);
        var failed = entries[^1];
        Assert.Equal(BinderPhase.Failed, failed.Event.Phase);
        Assert.Equal(503, failed.Event.StatusCode);
        Assert.Equal(1, failed.Index);
        Assert.Equal(2, entries.Count);
    }

    private static async Task<(List<SessionEntry> Entries, List<TimeSpan> Delays)> WatchAsync(AbortingLaunchGrain grain)
    {
        var time = new InstantDelays();
        var site = Microsoft.Extensions.Options.Options.Create(new SiteOptions());
        var grains = new OneGrainFactory(grain);
        var feeds = new BuildFeeds(grains, time, Microsoft.Extensions.Options.Options.Create(new BuildOptions()), NullLogger<BuildFeeds>.Instance);
        var sessions = new LaunchSessions(grains, new LaunchSessionTable(), new SessionKeys(site), site, time, feeds, NullLogger<LaunchSessions>.Instance);
        using var cts = new CancellationTokenSource(Wait);
        var entries = new List<SessionEntry>();
        await foreach (var entry in sessions.WatchAsync("0123456789abcdef01234567", Spec, 0, cts.Token)) entries.Add(entry);
        return (entries, [.. time.Delays]);
    }

    /// <summary>Timers fire at once; the delays asked for are recorded.</summary>
    private sealed class InstantDelays : TimeProvider
    {
        public ConcurrentQueue<TimeSpan> Delays { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan) Delays.Enqueue(dueTime);
            return System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.FromMilliseconds(1), period);
        }
    }

    /// <summary>
    /// A session whose activation keeps going away: each of the first <c>abortedWatches</c> watches yields
    /// <c>eventsPerWatch</c> events from where the watcher asked, then aborts like a deactivated grain; the next watch
    /// yields <c>ready</c>.
    /// </summary>
    private sealed class AbortingLaunchGrain(int eventsPerWatch, int abortedWatches, int? firstWatchEvents = null) : ILaunchGrain
    {
        private int _watches;

        public int Watches => _watches;

        public async IAsyncEnumerable<SessionEntry> WatchAsync(LaunchSpec spec, int fromIndex = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var watch = Interlocked.Increment(ref _watches);
            await Task.Yield();
            if (watch > abortedWatches)
            {
                yield return new SessionEntry(fromIndex, BinderEvent.Of(BinderPhase.Ready, "ready"));
                yield break;
            }
            var count = watch == 1 && firstWatchEvents is { } first ? first : eventsPerWatch;
            for (var i = 0; i < count; i++) yield return new SessionEntry(fromIndex + i, BinderEvent.Of(BinderPhase.Building, $"watch {watch}"));
            throw new EnumerationAbortedException("the activation went away");
        }

        public IAsyncEnumerable<SessionBatch> WatchBatchesAsync(LaunchSpec spec, int fromIndex, bool expandBuilds, CancellationToken cancellationToken = default) =>
            WatchAsync(spec, fromIndex, cancellationToken).Select(e => new SessionBatch(e.Index, [e.Event]));

        public ValueTask<SessionState> GetStateAsync() => throw new NotSupportedException();

        public ValueTask EvictAsync() => throw new NotSupportedException();
    }

    /// <summary>Answers every string-keyed grain reference with the one launch grain.</summary>
    private sealed class OneGrainFactory(ILaunchGrain grain) : IGrainFactory
    {
        public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithStringKey =>
            (TGrainInterface)grain;

        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey => throw new NotSupportedException();
        public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();
        public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => throw new NotSupportedException();
        public IAddressable GetGrain(GrainId grainId) => throw new NotSupportedException();
        public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => throw new NotSupportedException();
        public IAddressable GetGrain(Type interfaceType, IdSpan grainKey, string grainClassNamePrefix) => throw new NotSupportedException();
        public IAddressable GetGrain(Type interfaceType, IdSpan grainKey) => throw new NotSupportedException();
    }
}
