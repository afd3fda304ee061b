using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Options;

namespace BinderOrleans.Tests.Grains;

/// <summary>The retention decision on its own: ages from the book, the size budget with shared blobs, protections.</summary>
public sealed class RetentionPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static StoredImage Image(string name, params (string Blob, long Size)[] blobs) =>
        new(name + "-id", [name], blobs.ToDictionary(b => b.Blob, b => b.Size));

    private static ImageUseBook Book(DateTimeOffset since, params (string Image, int DaysAgo)[] uses) =>
        new(since, uses.Select(u => new ImageUse(u.Image, Now - TimeSpan.FromDays(u.DaysAgo))).OrderBy(u => u.LastUsed).ToArray(), []);

    [Fact]
    public void UnusedDays_RemovesOnlyImagesUsedLongerAgo_AndUnseenOnesCountFromTheBooksStart()
    {
        var images = new[] { Image("old", ("a", 10)), Image("recent", ("b", 10)), Image("unseen", ("c", 10)) };
        var book = Book(Now - TimeSpan.FromDays(10), ("old", 40), ("recent", 3));

        var plan = RetentionPlan.Make(images, book, new Dictionary<string, string>(), new ImageRetentionOptions { UnusedDays = 30 }, Now);

        Assert.Equal(["old"], plan.Remove.Select(r => r.Name));
        Assert.Equal(10, plan.Remove[0].Bytes);

        // Once the book itself is older than the limit (a new book that has seen only one image), the images it never saw go too.
        var later = RetentionPlan.Make(images, Book(Now - TimeSpan.FromDays(31), ("recent", 3)), new Dictionary<string, string>(),
            new ImageRetentionOptions { UnusedDays = 30 }, Now);
        Assert.Equal(["old", "unseen"], later.Remove.Select(r => r.Name));
    }

    [Fact]
    public void MaxSize_RemovesLeastRecentlyUsedFirst_CountingSharedBlobsOnce_AndSkipsImagesInUse()
    {
        // All three share a 100-byte base; 300 bytes in all, over a 250-byte budget.
        var images = new[] { Image("a", ("base", 100), ("a", 50)), Image("b", ("base", 100), ("b", 70)), Image("c", ("base", 100), ("c", 80)) };
        var book = Book(Now - TimeSpan.FromDays(100), ("a", 5), ("b", 9), ("c", 1));

        var plan = RetentionPlan.Make(images, book, new Dictionary<string, string>(), new ImageRetentionOptions { MaxSize = "250" }, Now);
        Assert.Equal(300, plan.TotalBytes);
        var removed = Assert.Single(plan.Remove);
        Assert.Equal("b", removed.Name);
        Assert.Equal(70, removed.Bytes);

        // b in use: the next least recently used goes instead, and b is reported kept.
        var inUse = new Dictionary<string, string> { ["b"] = "a running server uses it" };
        var protectedPlan = RetentionPlan.Make(images, book, inUse, new ImageRetentionOptions { MaxSize = "250" }, Now);
        Assert.Equal(["a"], protectedPlan.Remove.Select(r => r.Name));
        Assert.Equal("a running server uses it", Assert.Single(protectedPlan.Kept).Reason);
    }

    [Fact]
    public void LastImageHoldingASharedBlob_FreesIt()
    {
        var images = new[] { Image("a", ("base", 100), ("a", 50)), Image("b", ("base", 100), ("b", 70)) };
        var plan = RetentionPlan.Make(images, Book(Now - TimeSpan.FromDays(100), ("a", 50), ("b", 40)), new Dictionary<string, string>(),
            new ImageRetentionOptions { UnusedDays = 30 }, Now);
        Assert.Equal([50L, 170L], plan.Remove.Select(r => r.Bytes));
    }

    [Fact]
    public void Options_Validate_NameTheKeys()
    {
        var errors = new ImageRetentionOptions { UnusedDays = -1, MaxSize = "lots", Interval = TimeSpan.Zero }.Validate("Registry:Retention").ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Registry:Retention:UnusedDays", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Registry:Retention:MaxSize", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Registry:Retention:Interval", StringComparison.Ordinal));
        Assert.False(new ImageRetentionOptions().Enabled);
        Assert.Equal(200L << 30, new ImageRetentionOptions { MaxSize = "200G" }.MaxBytes);
    }
}
