using BinderOrleans.Core.Builds;

namespace BinderOrleans.Tests.Grains;

public sealed class BuildQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WaitLease = TimeSpan.FromSeconds(5);

    [Fact]
    public void FullQueue_WaitersGetPositions_AndAdvanceInOrder()
    {
        var book = new BuildQueueBook(1, Lease, WaitLease);
        Assert.Equal(0, book.Enter("a", T0));
        Assert.Equal(1, book.Enter("b", T0));
        Assert.Equal(2, book.Enter("c", T0));
        Assert.Equal(2, book.Enter("c", T0.AddSeconds(1)));

        book.Leave("a");
        Assert.Equal(1, book.Enter("c", T0.AddSeconds(2)));
        Assert.Equal(0, book.Enter("b", T0.AddSeconds(2)));
        Assert.Equal(1, book.Enter("c", T0.AddSeconds(3)));
        book.Leave("b");
        Assert.Equal(0, book.Enter("c", T0.AddSeconds(4)));
        book.Leave("c");
        Assert.Empty(book.State(T0.AddSeconds(4)).Running);
    }

    [Fact]
    public void HolderThatStopsRenewing_LosesItsSlot_ToTheNextInLine()
    {
        var book = new BuildQueueBook(1, Lease, WaitLease);
        Assert.Equal(0, book.Enter("lost-with-its-silo", T0));
        for (var s = 1; s <= 30; s++) Assert.Equal(1, book.Enter("next", T0.AddSeconds(s)));
        Assert.Equal(0, book.Enter("next", T0.AddSeconds(31)));
        Assert.Equal(["next"], book.State(T0.AddSeconds(31)).Running);
    }

    [Fact]
    public void WaiterThatStopsAsking_LeavesTheLine()
    {
        var book = new BuildQueueBook(1, Lease, WaitLease);
        book.Enter("a", T0);
        Assert.Equal(1, book.Enter("gone", T0));
        Assert.Equal(2, book.Enter("b", T0));
        Assert.Equal(1, book.Enter("b", T0.AddSeconds(6)));
    }

    [Fact]
    public void RenewingHolder_KeepsItsSlot()
    {
        var book = new BuildQueueBook(2, Lease, WaitLease);
        Assert.Equal(0, book.Enter("a", T0));
        Assert.Equal(0, book.Enter("b", T0));
        for (var s = 20; s <= 100; s += 20)
        {
            Assert.Equal(0, book.Enter("a", T0.AddSeconds(s)));
            Assert.Equal(0, book.Enter("b", T0.AddSeconds(s)));
            Assert.Equal(1, book.Enter("c", T0.AddSeconds(s)));
        }
    }

    [Fact]
    public void NewBook_HandsOutNoSlot_UntilTheBuildsThatMayRunHaveRenewed()
    {
        var book = new BuildQueueBook(2, Lease, WaitLease);
        book.Expect(["a", "b", "waiting"], T0.AddSeconds(15));

        Assert.Equal(1, book.Enter("waiting", T0));
        Assert.Equal(2, book.Enter("new", T0));
        book.Renew("a", T0.AddSeconds(1));
        Assert.Equal(1, book.Enter("waiting", T0.AddSeconds(1)));
        book.Renew("b", T0.AddSeconds(2));

        // Both slots are back with the builds that held them: the line waits on.
        Assert.Equal(1, book.Enter("waiting", T0.AddSeconds(2)));
        Assert.Equal(["a", "b"], book.State(T0.AddSeconds(2)).Running.Order());
        book.Leave("a");
        Assert.Equal(0, book.Enter("waiting", T0.AddSeconds(3)));
    }

    [Fact]
    public void NewBook_ExpectedBuildThatNeverRenews_HoldsTheLineOnlyUntilTheDeadline()
    {
        var book = new BuildQueueBook(1, Lease, WaitLease);
        book.Expect(["ended-meanwhile"], T0.AddSeconds(15));

        Assert.Equal(1, book.Enter("next", T0.AddSeconds(14)));
        Assert.Equal(0, book.Enter("next", T0.AddSeconds(15)));
    }

    [Fact]
    public void Renewal_CountsAsRunning_EvenBeyondTheLimit()
    {
        var book = new BuildQueueBook(1, Lease, WaitLease);
        Assert.Equal(0, book.Enter("taken-meanwhile", T0));
        book.Renew("ran-all-along", T0);

        Assert.Equal(2, book.State(T0).Running.Length);
        Assert.Equal(1, book.Enter("next", T0));
        book.Leave("taken-meanwhile");
        Assert.Equal(1, book.Enter("next", T0));
        book.Leave("ran-all-along");
        Assert.Equal(0, book.Enter("next", T0));
    }
}
