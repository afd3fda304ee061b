using BinderOrleans.Core.Providers;
using BinderOrleans.Testing;
using Microsoft.Extensions.Time.Testing;

namespace BinderOrleans.Tests.Providers;

public sealed class ResolveCoalescerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static ResolveCoalescer Coalescer(FakeTimeProvider time, int seconds = 5) =>
        new(Microsoft.Extensions.Options.Options.Create(new RepoProvidersOptions { RefCacheSeconds = seconds }), time);

    [Fact]
    public async Task ConcurrentResolutions_OfOneSpec_ShareOneLookup()
    {
        var time = new FakeTimeProvider();
        var provider = new GatedProvider();
        var coalescer = Coalescer(time);

        var waiting = Enumerable.Range(0, 100).Select(_ => coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None)).ToArray();
        provider.Release(Resolved("a1"));
        var results = await Task.WhenAll(waiting).WaitAsync(Timeout);

        Assert.Equal(1, provider.Calls);
        Assert.All(results, r => Assert.Equal("a1", Assert.IsType<ResolveResult.Resolved>(r).Repo.ResolvedRef));
    }

    [Fact]
    public async Task ResolvedRef_IsReusedWithinTheWindow_AndAskedAgainAfterIt()
    {
        var time = new FakeTimeProvider();
        var provider = new GatedProvider();
        var coalescer = Coalescer(time, seconds: 5);
        provider.Release(Resolved("a1"));
        await coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None).WaitAsync(Timeout);

        time.Advance(TimeSpan.FromSeconds(4));
        var reused = await coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(1, provider.Calls);
        Assert.Equal("a1", Assert.IsType<ResolveResult.Resolved>(reused).Repo.ResolvedRef);

        time.Advance(TimeSpan.FromSeconds(2));
        provider.Release(Resolved("b2"));
        var fresh = await coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(2, provider.Calls);
        Assert.Equal("b2", Assert.IsType<ResolveResult.Resolved>(fresh).Repo.ResolvedRef);
    }

    [Fact]
    public async Task Failure_IsSharedByItsWaiters_ButNotKept()
    {
        var time = new FakeTimeProvider();
        var provider = new GatedProvider();
        var coalescer = Coalescer(time);

        var first = coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None);
        var second = coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None);
        provider.Release(ResolveResult.NotFound("gh", "owner/repo/main"));
        Assert.Equal(404, Assert.IsType<ResolveResult.Failed>(await first.WaitAsync(Timeout)).StatusCode);
        Assert.Equal(404, Assert.IsType<ResolveResult.Failed>(await second.WaitAsync(Timeout)).StatusCode);
        Assert.Equal(1, provider.Calls);

        provider.Release(Resolved("a1"));
        var retried = await coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(2, provider.Calls);
        Assert.IsType<ResolveResult.Resolved>(retried);
    }

    [Fact]
    public async Task Exception_ReachesEveryWaiter_AndTheNextRequestAsksAgain()
    {
        var time = new FakeTimeProvider();
        var provider = new GatedProvider();
        var coalescer = Coalescer(time);

        var first = coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None);
        provider.Throw(new InvalidOperationException("boom"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(Timeout));

        provider.Release(Resolved("a1"));
        Assert.IsType<ResolveResult.Resolved>(await coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task DifferentSpecs_AndZeroWindow_AreNotShared()
    {
        var time = new FakeTimeProvider();
        var provider = new GatedProvider();
        var coalescer = Coalescer(time, seconds: 0);
        provider.Release(Resolved("a1"));

        await coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None).WaitAsync(Timeout);
        await coalescer.ResolveAsync(provider, "owner/repo/dev", CancellationToken.None).WaitAsync(Timeout);
        await WaitUntilAsync(() => coalescer.Count == 0);
        await coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(3, provider.Calls);
    }

    [Fact]
    public async Task CallerThatLeaves_DoesNotCancelTheSharedLookup()
    {
        var time = new FakeTimeProvider();
        var provider = new GatedProvider();
        var coalescer = Coalescer(time);
        using var leaving = new CancellationTokenSource();

        var gone = coalescer.ResolveAsync(provider, "owner/repo/main", leaving.Token);
        var staying = coalescer.ResolveAsync(provider, "owner/repo/main", CancellationToken.None);
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone.WaitAsync(Timeout));
        provider.Release(Resolved("a1"));

        Assert.IsType<ResolveResult.Resolved>(await staying.WaitAsync(Timeout));
        Assert.Equal(1, provider.Calls);
    }

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, "the lookup to be dropped", Timeout);

    private static ResolveResult Resolved(string sha) =>
        new ResolveResult.Resolved(new ResolvedRepo("https://example.org/r.git", sha, "https://example.org/r.git", "r/" + sha, "r", "main"));

    /// <summary>A provider whose answers the test hands out one at a time.</summary>
    private sealed class GatedProvider : IRepoProvider
    {
        private readonly object _gate = new();
        private TaskCompletionSource<ResolveResult> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Id => "gh";

        public string Name => "GitHub";

        public ProviderDisplayConfig DisplayConfig => throw new NotSupportedException();

        public ResolveResult.Failed? CheckSpec(string spec) => null;

        public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            lock (_gate) return _next.Task;
        }

        /// <summary>Answers the calls waiting now, or, when they were answered already, the calls to come.</summary>
        public void Release(ResolveResult result) => Current().TrySetResult(result);

        public void Throw(Exception ex) => Current().TrySetException(ex);

        private TaskCompletionSource<ResolveResult> Current()
        {
            lock (_gate)
            {
                if (_next.Task.IsCompleted) _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
                return _next;
            }
        }
    }
}
