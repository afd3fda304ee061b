using BinderOrleans.Core.Providers;
using Microsoft.Extensions.Time.Testing;

namespace BinderOrleans.Tests.Providers;

public sealed class LruCacheTests
{
    [Fact]
    public void Capacity_EvictsTheLeastRecentlyUsed()
    {
        var cache = new LruCache<string, int>(2, TimeProvider.System);
        cache.Set("a", 1);
        cache.Set("b", 2);
        Assert.True(cache.TryGet("a", out _));

        cache.Set("c", 3);

        Assert.True(cache.TryGet("a", out var a));
        Assert.Equal(1, a);
        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("c", out _));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void MaxAge_ExpiresEntries()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var cache = new LruCache<string, int>(10, time, TimeSpan.FromSeconds(300));
        cache.Set("a", 1);

        time.Advance(TimeSpan.FromSeconds(299));
        Assert.True(cache.TryGet("a", out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGet("a", out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Set_ReplacesAnExistingKey()
    {
        var cache = new LruCache<string, int>(2, TimeProvider.System);
        cache.Set("a", 1);
        cache.Set("a", 2);

        Assert.True(cache.TryGet("a", out var value));
        Assert.Equal(2, value);
        Assert.Equal(1, cache.Count);
    }
}
