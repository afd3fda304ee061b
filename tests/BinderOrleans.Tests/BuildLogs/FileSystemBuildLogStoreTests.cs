using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BinderOrleans.Tests.BuildLogs;

public sealed class FileSystemBuildLogStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("binder-build-logs-").FullName;
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private FileSystemBuildLogStore Store(long limit = BuildOptions.DefaultLogStoreLimit) =>
        new(Options.Create(new BuildOptions { LogDirectory = _directory, LogStoreLimit = limit }), _time, NullLogger<FileSystemBuildLogStore>.Instance);

    private static BinderEvent[] Events(string text) =>
        [BinderEvent.Of(BinderPhase.Waiting, "Waiting for build to start..."), new() { Phase = BinderPhase.Pushing, Progress = 3 },
         BinderEvent.Of(BinderPhase.Building, text), BinderEvent.Failed("The build failed.", 500)];

    [Fact]
    public async Task Save_ThenAnotherStoreOnTheSameFolder_ReadsEveryMessageInOrder()
    {
        var id = BuildLogIds.New("build-a", Start);
        Assert.True(await Store().SaveAsync(id, Events("Step 1/2\nStep 2/2"), CancellationToken.None));

        var text = await ReadAsync(Store(), id);

        Assert.Equal("Waiting for build to start...\nStep 1/2\nStep 2/2\nThe build failed.\n", text);
    }

    [Fact]
    public async Task OlderThanRetention_IsGone_AndTheNextSaveDeletesIt()
    {
        var store = Store();
        var old = BuildLogIds.New("build-old", Start);
        await store.SaveAsync(old, Events("old"), CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(6));
        Assert.NotNull(await ReadAsync(store, old));

        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        Assert.Null(await ReadAsync(store, old));
        var fresh = BuildLogIds.New("build-new", _time.GetUtcNow());
        await store.SaveAsync(fresh, Events("new"), CancellationToken.None);

        Assert.Equal([fresh + ".log"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task OverTheLimit_OldestGoFirst()
    {
        var one = Events(new string('x', 100));
        var size = BuildLogText.Render(one).Length;
        var store = Store(limit: size * 2);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(BuildLogIds.New($"build-{i}", _time.GetUtcNow()));
            Assert.True(await store.SaveAsync(ids[^1], one, CancellationToken.None));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Null(await ReadAsync(store, ids[0]));
        Assert.NotNull(await ReadAsync(store, ids[1]));
        Assert.NotNull(await ReadAsync(store, ids[2]));
    }

    [Fact]
    public async Task LogLargerThanTheWholeLimit_IsNotKept()
    {
        var store = Store(limit: 10);

        Assert.False(await store.SaveAsync(BuildLogIds.New("build-big", Start), Events("far more than ten bytes"), CancellationToken.None));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("..")]
    [InlineData("Build-A")]
    [InlineData("a.log")]
    [InlineData("")]
    public async Task NotAnId_ReadsNothing(string id)
    {
        File.WriteAllText(Path.Combine(_directory, "a.log"), "secret");

        Assert.Null(await ReadAsync(Store(), id));
    }

    [Fact]
    public void Ids_AreValidAndDistinct()
    {
        var a = BuildLogIds.New("build-binder-2dexamples-2drequirements-0a1b2c-abc-4f", Start);
        var b = BuildLogIds.New("build-binder-2dexamples-2drequirements-0a1b2c-abc-4f", Start);

        Assert.True(BuildLogIds.IsValid(a));
        Assert.NotEqual(a, b);
        Assert.StartsWith("build-binder-2dexamples-2drequirements-0a1b2c-abc-4f-20261201t120000z-", a, StringComparison.Ordinal);
    }

    private static async Task<string?> ReadAsync(IBuildLogStore store, string id)
    {
        await using var stream = await store.OpenReadAsync(id, CancellationToken.None);
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
