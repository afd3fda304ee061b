using BinderOrleans.Core.Grains;

namespace BinderOrleans.Tests.Grains;

public sealed class BuildQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FullQueue_WaitersGetPositions_AndAdvanceInOrder()
    {
        var queue = new BuildQueue(1);
        var first = await queue.EnterAsync(_ => { }, CancellationToken.None).WaitAsync(Timeout);
        var positionsB = new List<int>();
        var positionsC = new List<int>();
        var b = queue.EnterAsync(p => { lock (positionsB) positionsB.Add(p); }, CancellationToken.None);
        var c = queue.EnterAsync(p => { lock (positionsC) positionsC.Add(p); }, CancellationToken.None);
        Assert.False(b.IsCompleted);
        Assert.Equal([1], positionsB);
        Assert.Equal([2], positionsC);

        first.Dispose();
        var slotB = await b.WaitAsync(Timeout);
        Assert.False(c.IsCompleted);
        Assert.Equal([2, 1], positionsC);
        slotB.Dispose();
        (await c.WaitAsync(Timeout)).Dispose();
        Assert.Equal(0, queue.Running);
    }

    [Fact]
    public async Task CancelledWaiter_LeavesQueue_OthersMoveUp()
    {
        var queue = new BuildQueue(1);
        var first = await queue.EnterAsync(_ => { }, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var b = queue.EnterAsync(_ => { }, cts.Token);
        var positionsC = new List<int>();
        var c = queue.EnterAsync(p => { lock (positionsC) positionsC.Add(p); }, CancellationToken.None);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b.WaitAsync(Timeout));
        Assert.Equal([2, 1], positionsC);
        first.Dispose();
        (await c.WaitAsync(Timeout)).Dispose();
        Assert.Equal(0, queue.Waiting);
    }

    [Fact]
    public async Task DisposingSlotTwice_ReleasesOnce()
    {
        var queue = new BuildQueue(2);
        var a = await queue.EnterAsync(_ => { }, CancellationToken.None);
        var b = await queue.EnterAsync(_ => { }, CancellationToken.None);
        a.Dispose();
        a.Dispose();
        Assert.Equal(1, queue.Running);
        b.Dispose();
        Assert.Equal(0, queue.Running);
    }
}
