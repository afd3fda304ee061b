using System.Text.Json.Nodes;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Registry;
using Microsoft.Extensions.Time.Testing;

namespace BinderOrleans.Tests.Registry;

public sealed class PushProgressTests
{
    [Fact]
    public void Observe_EnginePushStream_GivesRepo2dockerProgressShape()
    {
        var clock = new FakeTimeProvider();
        var progress = new PushProgress(clock);

        Assert.Null(progress.Observe(null, "The push refers to repository [127.0.0.1:5000/binder/x]", null, null));
        var preparing = progress.Observe("aaa", "Preparing", null, null);
        var pushing = progress.Observe("aaa", "Pushing", 512, 2048);
        var done = progress.Observe("aaa", "Pushing", 2048, 2048);
        var pushed = progress.Observe("aaa", "Pushed", null, null);

        Assert.Equal("""{"aaa":"Preparing"}""", preparing!.Progress!.ToJsonString());
        Assert.Equal("""{"aaa":{"current":512,"total":2048}}""", pushing!.Progress!.ToJsonString());
        Assert.Equal("""{"aaa":{"current":2048,"total":2048}}""", done!.Progress!.ToJsonString());
        Assert.Equal("""{"aaa":"Pushed"}""", pushed!.Progress!.ToJsonString());
        Assert.All([preparing, pushing, done, pushed], e => Assert.Equal((BinderPhase.Pushing, "Pushing image\n"), (e.Phase, e.Message)));
    }

    [Fact]
    public void Observe_ByteUpdates_AreThrottledButTheLastByteIsAlwaysSent()
    {
        var clock = new FakeTimeProvider();
        var progress = new PushProgress(clock);
        progress.Observe("aaa", "Pushing", 1, 100);

        Assert.Null(progress.Observe("aaa", "Pushing", 2, 100));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(progress.Observe("aaa", "Pushing", 3, 100));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(progress.Observe("aaa", "Pushing", 50, 100));
        Assert.Null(progress.Observe("aaa", "Pushing", 60, 100));
        var last = progress.Observe("aaa", "Pushing", 100, 100);

        Assert.Equal(100, last!.Progress!["aaa"]!["current"]!.GetValue<long>());
    }

    [Fact]
    public void Observe_SeveralLayers_EveryEventCarriesAllLayersInOrder()
    {
        var progress = new PushProgress(new FakeTimeProvider());
        progress.Observe("bbb", "Layer already exists", null, null);
        var e = progress.Observe("aaa", "Waiting", null, null);

        Assert.Equal("""{"bbb":"Layer already exists","aaa":"Waiting"}""", e!.Progress!.ToJsonString());
        Assert.Equal(2, progress.LayerCount);
    }

    [Fact]
    public void Snapshot_IsACopy()
    {
        var progress = new PushProgress(new FakeTimeProvider());
        var first = progress.Observe("aaa", "Preparing", null, null)!;
        progress.Observe("aaa", "Pushed", null, null);

        Assert.Equal("Preparing", first.Progress!["aaa"]!.GetValue<string>());
        Assert.IsType<JsonObject>(progress.Snapshot().Progress);
    }
}
