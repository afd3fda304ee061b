using System.Net;
using System.Net.Sockets;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Naming;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.IntegrationTests.BuildApi;

/// <summary>
/// Inputs that must fail before any build, through the real <c>/build</c> endpoint: each stream carries exactly one
/// <c>failed</c> event with a status code and a message saying what is wrong, and then the server closes it.
/// </summary>
public sealed class BuildApiBadInputTests(BuildApiServerFixture fixture) : IClassFixture<BuildApiServerFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly GitRepo _repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "hi\n" });

    private HttpClient Client => fixture.Server.Client;

    public void Dispose() => _repo.Dispose();

    private static string Escaped(string value) => Uri.EscapeDataString(value);

    private async Task<BinderEvent> SingleFailureAsync(string path, int statusCode)
    {
        var buildsBefore = fixture.Fakes.Builds;
        var messages = await SseClient.ReadBuildAsync(Client, path, Timeout);

        var only = Assert.Single(messages);
        Assert.Equal(BinderPhase.Failed, only.Event.Phase);
        Assert.Equal(statusCode, only.Event.StatusCode);
        Assert.EndsWith("\n", only.Event.Message);
        Assert.Equal(buildsBefore, fixture.Fakes.Builds);
        return only.Event;
    }

    [Fact]
    public async Task UnknownProvider_FailsNotFound()
    {
        var failed = await SingleFailureAsync("build/nope/some/spec", 404);

        Assert.Equal("No provider found for prefix nope\n", failed.Message);
    }

    [Theory]
    [InlineData("build/gh/onlyowner", "Spec is not of the form \"user/repo/ref\", provided: \"onlyowner\".\n")]
    [InlineData("build/gh/owner/repo", "Spec is not of the form \"user/repo/ref\", provided: \"owner/repo\". Did you mean \"owner/repo/HEAD\"?\n")]
    public async Task MalformedGitHubSpec_FailsBadRequest_WithAHint(string path, string message)
    {
        var failed = await SingleFailureAsync(path, 400);

        Assert.Equal(message, failed.Message);
    }

    [Fact]
    public async Task MissingGitRef_FailsBadRequest()
    {
        var failed = await SingleFailureAsync($"build/git/{Escaped(_repo.Url)}", 400);

        Assert.Contains("Did you mean", failed.Message);
    }

    [Fact]
    public async Task RefStartingWithDash_IsRefused_AndNoCommandRuns()
    {
        var marker = Path.Combine(Path.GetTempPath(), "binder-pwned-" + Guid.NewGuid().ToString("N"));

        var failed = await SingleFailureAsync($"build/git/{Escaped(_repo.Url)}/{Escaped("--upload-pack=touch " + marker)}", 400);

        Assert.Equal($"Invalid ref \"--upload-pack=touch {marker}\": a git ref cannot start with \"-\".\n", failed.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task ExtTransport_IsRefused_AndNoCommandRuns()
    {
        var marker = Path.Combine(Path.GetTempPath(), "binder-pwned-" + Guid.NewGuid().ToString("N"));

        var failed = await SingleFailureAsync($"build/git/{Escaped($"ext::sh -c touch% {marker}")}/main", 400);

        Assert.StartsWith("Unsupported git url ext::sh -c touch% ", failed.Message);
        Assert.Contains("protocol ext not in file, http, https, git, ssh", failed.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task UnreachableRepository_FailsWithGitsReason()
    {
        var port = ClosedPort();
        var spec = $"{Escaped($"http://127.0.0.1:{port}/repo.git")}/main";

        var failed = await SingleFailureAsync($"build/git/{spec}", 502);

        Assert.StartsWith($"Error resolving ref for git:{spec}: ", failed.Message);
        Assert.Contains($"127.0.0.1 port {port}", failed.Message);
    }

    [Fact]
    public async Task MissingRef_FailsNotFound()
    {
        var spec = $"{Escaped(_repo.Url)}/no-such-branch";

        var failed = await SingleFailureAsync($"build/git/{spec}", 404);

        Assert.Equal($"Could not resolve ref for git:{spec}. Double check your URL and that your repo is public.\n", failed.Message);
    }

    [Fact]
    public async Task MissingAcceptHeader_FailsBadRequest_WithoutStartingASession()
    {
        var sessions = fixture.Server.Services.GetRequiredService<LaunchSessionTable>();
        var before = sessions.Count;
        using var cts = new CancellationTokenSource(Timeout);

        using var response = await SseClient.OpenAsync(Client, $"build/git/{Escaped(_repo.Url)}/main", accept: "", cancellationToken: cts.Token);
        var messages = new List<SseMessage>();
        await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cts.Token)) messages.Add(m);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var only = Assert.Single(messages);
        Assert.Equal(BinderPhase.Failed, only.Event.Phase);
        Assert.Equal(400, only.Event.StatusCode);
        Assert.Equal("Missing Accept header: text/event-stream\n", only.Event.Message);
        Assert.Equal(before, sessions.Count);
    }

    [Fact]
    public async Task ReconnectAfterTheEnd_Gets204_AndNoNewSession()
    {
        var sessions = fixture.Server.Services.GetRequiredService<LaunchSessionTable>();
        // A spec that is admitted and then fails to resolve: one refused at admission starts no session (issue 11).
        var path = $"build/git/{Escaped(_repo.Url)}/no-such-branch";
        var messages = await SseClient.ReadBuildAsync(Client, path, Timeout);
        var lastId = Assert.Single(messages).Id;
        Assert.NotNull(lastId);
        var before = sessions.Count;
        using var cts = new CancellationTokenSource(Timeout);

        using var response = await SseClient.OpenAsync(Client, path, lastEventId: lastId, cancellationToken: cts.Token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(before, sessions.Count);
    }

    [Fact]
    public async Task ValidGitSpec_ResolvesAndLaunches_WithBinderHubNames()
    {
        var spec = $"{Escaped(_repo.Url)}/main";

        var messages = await SseClient.ReadBuildAsync(Client, $"build/git/{spec}", Timeout);

        var events = messages.Select(m => m.Event).ToList();
        var image = ImageNaming.ImageName("", _repo.Url, _repo.Head);
        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.Equal(image, events[0].ImageName);
        var ready = events[^1];
        Assert.Equal(image, ready.Image);
        Assert.Equal(_repo.Url, ready.RepoUrl);
        Assert.Equal(_repo.Url, ready.BinderRefUrl);
        Assert.Equal($"v2/git/{spec}", ready.BinderRequest);
        Assert.Equal($"v2/git/{Escaped(_repo.Url)}/{_repo.Head}", ready.BinderPersistentRequest);
    }

    [Fact]
    public async Task RepoProviders_ListsTheDisplayConfigs()
    {
        using var cts = new CancellationTokenSource(Timeout);

        var json = await Client.GetStringAsync("api/repoproviders", cts.Token);

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var providers = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(["gh", "gist", "git", "gl", "zenodo", "figshare", "hydroshare", "dataverse", "ckan", "bitbucket"], providers.Select(p => p.GetProperty("id").GetString()));
        var git = providers[2];
        Assert.Equal("Git repository", git.GetProperty("displayName").GetString());
        Assert.Equal("[^/]+/.+", git.GetProperty("spec").GetProperty("validateRegex").GetString());
        Assert.True(git.GetProperty("repo").GetProperty("urlEncode").GetBoolean());
        Assert.Equal("HEAD", git.GetProperty("ref").GetProperty("default").GetString());
        var gh = providers[0];
        Assert.Equal("GitHub", gh.GetProperty("displayName").GetString());
        Assert.Equal("[^/]+/[^/]+/.+", gh.GetProperty("spec").GetProperty("validateRegex").GetString());
        Assert.False(gh.GetProperty("repo").GetProperty("urlEncode").GetBoolean());
        Assert.True(gh.TryGetProperty("detect", out _));
        Assert.False(git.TryGetProperty("detect", out _));
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
