using System.Net;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using BinderOrleans.Tests.Build;
using BinderOrleans.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Tests.BuildLogs;

/// <summary>Kept build logs through the real server: the link in the build's last event, the text behind it, a restart.</summary>
public sealed class BuildLogApiTests : IDisposable
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("binder-build-logs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<RunningServer> StartAsync(Func<BuildRequest, IEnumerable<BinderEvent>>? script = null) =>
        FakeBackends.StartServerAsync(new() { ["Build:LogDirectory"] = _directory }, services =>
        {
            var registry = new FakeImageRegistry();
            services.RemoveAll<IImageRegistry>();
            services.AddSingleton<IImageRegistry>(registry);
            var builder = new FakeImageBuilder(registry);
            if (script is not null) builder.Script = script;
            services.RemoveAll<IImageBuilder>();
            services.AddSingleton<IImageBuilder>(builder);
        });

    [Fact]
    public async Task FailedBuild_LinksToTheWholeLog_WhichSurvivesARestart()
    {
        string path;
        string streamed;
        await using (var server = await StartAsync(_ =>
            [BinderEvent.Of(BinderPhase.Fetching, "Cloning…"), BinderEvent.Of(BinderPhase.Building, "Step 1/2 : FROM base\nStep 2/2 : RUN exit 3"),
             BinderEvent.Failed("The command returned a non-zero code: 3")]))
        {
            var messages = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD", StreamTimeout);

            var failed = messages[^1].Event;
            Assert.Equal(BinderPhase.Failed, failed.Phase);
            Assert.Single(messages, m => m.Event.BuildLogUrl is not null);
            Assert.StartsWith(new Uri(server.BaseUri, "api/buildlogs/build-").AbsoluteUri, failed.BuildLogUrl, StringComparison.Ordinal);
            streamed = string.Concat(messages.Select(m => m.Event.Message));
            Assert.Contains("RUN exit 3", streamed, StringComparison.Ordinal);

            using var response = await server.Client.GetAsync(failed.BuildLogUrl);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(streamed, await response.Content.ReadAsStringAsync());
            path = new Uri(failed.BuildLogUrl!).AbsolutePath.TrimStart('/');
        }

        await using var restarted = await StartAsync();
        Assert.Equal(streamed, await restarted.Client.GetStringAsync(path));
    }

    [Fact]
    public async Task SuccessfulBuild_BuiltLinksToItsLog()
    {
        await using var server = await StartAsync();

        var first = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD", StreamTimeout);

        var builtAt = first.FindIndex(m => m.Event.Phase == BinderPhase.Built);
        var built = first[builtAt].Event;
        Assert.NotNull(built.BuildLogUrl);
        Assert.Equal(string.Concat(first.Take(builtAt + 1).Select(m => m.Event.Message)), await server.Client.GetStringAsync(built.BuildLogUrl));
        Assert.Equal(BinderPhase.Ready, first[^1].Event.Phase);
        Assert.Null(first[^1].Event.BuildLogUrl);
    }

    [Fact]
    public async Task BrokenStore_TheBuildStillEnds_WithoutALink()
    {
        await using var server = await FakeBackends.StartServerAsync(more: services => services.AddSingleton<IBuildLogStore>(new ThrowingStore()));

        var messages = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD", StreamTimeout);

        Assert.Contains(messages, m => m.Event.Phase == BinderPhase.Built);
        Assert.Equal(BinderPhase.Ready, messages[^1].Event.Phase);
        Assert.DoesNotContain(messages, m => m.Event.BuildLogUrl is not null);
    }

    private sealed class ThrowingStore : IBuildLogStore
    {
        public Task<bool> SaveAsync(string id, IReadOnlyList<BinderEvent> events, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("store is broken");

        public Task<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken) => Task.FromResult<Stream?>(null);
    }

    [Theory]
    [InlineData("api/buildlogs/build-nothing-here-20261201t120000z-00000000")]
    [InlineData("api/buildlogs/..%2F..%2Fetc%2Fpasswd")]
    public async Task UnknownLog_Is404Problem(string path)
    {
        await using var server = await StartAsync();

        using var response = await server.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
