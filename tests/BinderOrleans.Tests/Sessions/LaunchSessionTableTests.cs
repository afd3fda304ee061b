using BinderOrleans.Core.Sessions;

namespace BinderOrleans.Tests.Sessions;

public sealed class LaunchSessionTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void MakeRoom_AtTheBound_EvictsTheOldestFinishedFirst_EvenWhenTheyFinishedOutOfOrder()
    {
        var table = new LaunchSessionTable();
        foreach (var key in new[] { "a", "b", "c", "d" }) table.Add(key);
        table.MarkFinished("c", T0.AddSeconds(1));
        table.MarkFinished("a", T0.AddSeconds(3));
        table.MarkFinished("b", T0.AddSeconds(2));

        Assert.Equal(["c", "b"], table.MakeRoom(3));
        Assert.Equal(2, table.Count);
        Assert.Equal(["a"], table.MakeRoom(2));
    }

    [Fact]
    public void MakeRoom_TooFewFinished_EvictsNothingAndRefuses()
    {
        var table = new LaunchSessionTable();
        foreach (var key in new[] { "a", "b", "c" }) table.Add(key);
        table.MarkFinished("a", T0);

        Assert.Null(table.MakeRoom(2));
        Assert.Equal(3, table.Count);
        Assert.Equal(["a"], table.MakeRoom(3));
    }

    [Fact]
    public void MakeRoom_SessionRemovedOrRestarted_IsNotEvicted()
    {
        var table = new LaunchSessionTable();
        foreach (var key in new[] { "a", "b", "c" }) table.Add(key);
        table.MarkFinished("a", T0);
        table.MarkFinished("b", T0.AddSeconds(1));
        table.MarkFinished("c", T0.AddSeconds(2));
        table.Remove("a");
        // Its activation went and the session started again on this silo: it runs.
        table.Add("b");

        Assert.Equal(["c"], table.MakeRoom(2));
        Assert.Null(table.MakeRoom(1));
    }

    [Fact]
    public void MakeRoom_UnderTheBound_EvictsNothing()
    {
        var table = new LaunchSessionTable();
        table.Add("a");
        table.MarkFinished("a", T0);

        Assert.Empty(table.MakeRoom(5)!);
        Assert.Equal(1, table.Count);
    }
}
