using System.Net.Http.Headers;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>
/// Private repositories with a logged-in user's own credentials (binderhub #1154, #918): a real JupyterHub 3.0 whose
/// authenticator keeps a per-user token in <c>auth_state</c>, a loopback git host (git http-backend) whose private
/// repository needs user A's token, and <c>JupyterHub:Auth:RepoCredentials</c> naming that host. A builds and launches
/// an image whose name includes A; B (with a token of their own) gets 404 and no image name; the token is in no event,
/// no log line, no image, and never went to the host without A asking.
/// </summary>
public sealed class AuthPrivateRepoTests : IAsyncLifetime
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromMinutes(4);

    private readonly DockerSandbox _sandbox = new();
    private readonly GitRepo _repo = GitRepo.Ticking(1);
    private readonly CapturingLoggerProvider _logs = new();
    private AuthHub? _hub;
    private GitHttpHost? _git;
    private RunningServer? _binder;
    private string _alice = "";
    private string _bob = "";

    private AuthHub Hub => _hub ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var port = FreePorts.Next();
        _hub = await AuthHub.StartAsync(redirectUri: $"http://127.0.0.1:{port}/oauth_callback", serviceUrl: null, authState: true);
        _alice = $"alice-{Hub.Hub.RunId}";
        _bob = $"bob-{Hub.Hub.RunId}";
        // Logging in at the hub is what puts the token into their auth_state.
        foreach (var user in new[] { _alice, _bob })
        {
            using var browser = AuthHub.NewBrowser(TimeSpan.FromSeconds(60));
            using var landed = await AuthHub.LogInAsync(browser, new Uri(Hub.Hub.PublicUrl, "hub/login"), user);
            Assert.True(landed.IsSuccessStatusCode, $"logging {user} in at the hub: {(int)landed.StatusCode}");
        }
        _git = await GitHttpHost.StartAsync(Path.GetDirectoryName(_repo.Path)!,
            new Dictionary<string, string> { [Path.GetFileName(_repo.Path)] = Hub.RepoTokenOf(_alice) }).WaitAsync(TimeSpan.FromSeconds(30));

        var settings = Hub.BinderSettings(_sandbox, port, logLevel: "Information");
        settings["JupyterHub:Auth:RepoCredentials:0:UrlPrefix"] = _git.BaseUri.AbsoluteUri;
        // The loopback git host is an allowed target, as an operator allows an internal GitLab.
        settings["Security:AllowedTargetNetworks:0"] = "127.0.0.0/8";
        _binder = await RunningServer.StartAsync(settings, services => services.AddSingleton<ILoggerProvider>(_logs)).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_binder is not null) await _binder.DisposeAsync();
        if (_git is not null) await _git.DisposeAsync();
        if (_hub is not null) await _hub.DisposeAsync();
        await _sandbox.DisposeAsync();
        _repo.Dispose();
    }

    [Fact]
    public async Task AuthPrivateRepo_OwnerBuildsAndLaunchesWithOwnToken_OtherUserGets404AndNoImageName()
    {
        var token = Hub.RepoTokenOf(_alice);
        var spec = $"git/{Uri.EscapeDataString(_git!.UrlOf(_repo))}/main";

        var alice = await BuildAsync(_alice, spec);

        var ready = alice[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, Describe(alice));
        Assert.Equal(new Uri(Hub.Hub.PublicUrl, $"user/{_alice}/").AbsoluteUri, ready.Url);
        Assert.Equal(200, (await ServerProbe.StatusAsync(ready.Url!, ready.Token)).Status);
        // The image of a private build is the user's own: its name includes them (escaped as BinderHub escapes slugs: '-' is -2d).
        var image = ready.Image!;
        Assert.Contains($"alice-2d{Hub.Hub.RunId}", image);
        Assert.Contains(alice, m => m.Event.Phase == BinderPhase.Building);
        // Its kept log is at an address only Alice was sent, with 128 random bits in it.
        Assert.Matches("-[0-9a-f]{32}$", Assert.Single(alice, m => m.Event.BuildLogUrl is not null).Event.BuildLogUrl);
        // The host was asked without a token first (is it public?), then with Alice's, and only ever got hers.
        Assert.True(_git.Refused > 0);
        Assert.All(_git.AuthorizationHeaders, h => Assert.EndsWith(Basic("oauth2", token), h));

        var bob = await BuildAsync(_bob, spec);
        var bobAtTheCommit = await BuildAsync(_bob, $"git/{Uri.EscapeDataString(_git.UrlOf(_repo))}/{_repo.Head}");

        foreach (var refused in new[] { bob, bobAtTheCommit })
        {
            var failed = Assert.Single(refused).Event;
            Assert.Equal(BinderPhase.Failed, failed.Phase);
            Assert.Equal(404, failed.StatusCode);
            Assert.All(refused, m => Assert.Null(m.Event.ImageName));
            Assert.All(refused, m => Assert.DoesNotContain(_alice, m.Data));
        }
        Assert.Empty(await Hub.ServersOfAsync(_bob));

        // The token is in no event, no log line, and nowhere in the image (its config, its history).
        Assert.All(alice.Concat(bob), m => Assert.DoesNotContain(token, m.Data));
        Assert.DoesNotContain(token, _logs.All);
        var (code, inspect) = await Cli.DockerAsync(["image", "inspect", "--", image]);
        Assert.True(code == 0, inspect);
        Assert.DoesNotContain(token, inspect);
        var (_, history) = await Cli.DockerAsync(["history", "--no-trunc", "--", image]);
        Assert.DoesNotContain(token, history);

        // The open /metrics counts the private build and launch without naming the repository.
        var metrics = await _binder!.Client.GetStringAsync("metrics");
        Assert.DoesNotContain(Path.GetFileName(_repo.Path), metrics);
        Assert.Contains("repo=\"private\"", metrics);
    }

    private async Task<List<SseMessage>> BuildAsync(string user, string spec)
    {
        using var client = new HttpClient { BaseAddress = _binder!.BaseUri, Timeout = StreamTimeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Hub.MintTokenAsync(user));
        return await SseClient.ReadBuildAsync(client, "build/" + spec, StreamTimeout);
    }

    private static string Basic(string user, string password) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static string Describe(IEnumerable<SseMessage> messages) => string.Join(" | ", messages.Select(m => m.Data));
}
