using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Tests.Grains;

public sealed class EventLogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task LateReader_GetsWholeHistoryThenLiveTail()
    {
        var log = new EventLog<int>();
        log.Append(1);
        log.Append(2);
        var reader = ReadAll(log);
        log.Append(3);
        log.Complete();
        Assert.Equal([1, 2, 3], await reader.WaitAsync(Timeout));
        Assert.Equal([1, 2, 3], await ReadAll(log).WaitAsync(Timeout));
    }

    [Fact]
    public async Task ManyReaders_EachSeeEveryEntryInOrder()
    {
        var log = new EventLog<int>();
        var readers = Enumerable.Range(0, 20).Select(_ => ReadAll(log)).ToArray();
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++) log.Append(i);
            log.Complete();
        });
        await writer.WaitAsync(Timeout);
        foreach (var r in readers) Assert.Equal(Enumerable.Range(0, 1000), await r.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ReadFromIndex_SkipsEarlierEntries()
    {
        var log = new EventLog<string>();
        foreach (var s in new[] { "a", "b", "c" }) log.Append(s);
        log.Complete();
        var list = new List<string>();
        await foreach (var s in log.ReadAllAsync(2).WithCancellation(new CancellationTokenSource(Timeout).Token)) list.Add(s);
        Assert.Equal(["c"], list);
    }

    [Fact]
    public void Overflow_DropsOptionalEntriesWithOneNote_KeepsRequiredOnes()
    {
        var log = new EventLog<string>(capacity: 3);
        for (var i = 0; i < 10; i++) log.Append($"line {i}", mustKeep: false, overflowNote: () => "truncated");
        log.Append("done", mustKeep: true);
        Assert.Equal(["line 0", "line 1", "line 2", "truncated", "done"], log.Snapshot());
    }

    [Fact]
    public async Task CancelledReader_StopsWaiting()
    {
        var log = new EventLog<int>();
        using var cts = new CancellationTokenSource();
        var reader = ReadAll(log, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.WaitAsync(Timeout));
    }

    [Fact]
    public void AppendAfterComplete_IsDropped_AndReadersKeepTheFinishedLog()
    {
        var log = new EventLog<int>();
        Assert.True(log.Append(1));
        log.Complete();
        Assert.False(log.Append(2));
        Assert.Equal([1], log.Snapshot());
    }

    private static Task<List<T>> ReadAll<T>(EventLog<T> log, CancellationToken ct = default) => Task.Run(async () =>
    {
        var list = new List<T>();
        await foreach (var item in log.ReadAllAsync(0, ct)) list.Add(item);
        return list;
    });
}
