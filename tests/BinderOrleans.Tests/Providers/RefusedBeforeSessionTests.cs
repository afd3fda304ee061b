using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using BinderOrleans.Tests.Fuzz;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Tests.Providers;

/// <summary>
/// Issue 11 through <c>/build</c>: a spec refused by its provider's syntactic check, an unknown provider and a banned spec
/// are answered by the admission: no launch session is created and no git command is even built.
/// </summary>
public sealed class RefusedBeforeSessionTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private readonly RecordingGitRunner _git = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _git.Answer = _ => new GitCommandResult(0, $"{Sha}\tHEAD\n", "", TimedOut: false);
        _server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:Git:BannedSpecs:0"] = "https%3A%2F%2Fbanned",
            ["Providers:GitHub:ApiBaseUrl"] = "http://127.0.0.1:9/",
            ["Providers:GitLab:ApiBaseUrl"] = "http://127.0.0.1:9/",
            ["Security:AllowedTargetNetworks:0"] = "127.0.0.1/32",
            ["Logging:LogLevel:Default"] = "Error",
        }, services =>
        {
            ResolveOnlyBackends.Use(services);
            services.RemoveAll<IGitRunner>();
            services.AddSingleton<IGitRunner>(_git);
            services.RemoveAll<IGitRefLister>();
            services.AddSingleton<IGitRefLister>(_git);
        }).WaitAsync(Timeout);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<SseMessage> RefusedAsync(string provider, string spec, int status)
    {
        var sessions = _server.Services.GetRequiredService<LaunchSessionTable>();
        var before = sessions.Count;

        var (httpStatus, _, messages) = await RawBuildRequest.SendAsync(_server.Client, _server.BaseUri, provider, spec, Timeout);

        Assert.Equal(200, httpStatus);
        var only = Assert.Single(messages);
        Assert.Equal(BinderPhase.Failed, only.Event.Phase);
        Assert.Equal(status, only.Event.StatusCode);
        Assert.Equal(before, sessions.Count);
        Assert.Empty(_git.Invocations);
        return only;
    }

    [Theory]
    [InlineData("http%3A//127.0.0.1%3A9/x/HEAD")]
    [InlineData("gIt%3A//127.0.0.1%3A9/x/HEAD")]
    [InlineData("HTTP%3A//127.0.0.1%3A9/x/HEAD")]
    [InlineData("ssh%3A%2F%2F-oProxyCommand%3Dx%2Fr/main")]
    [InlineData("127.0.0.1%3Ax/HEAD")]
    [InlineData("git%40-oProxyCommand%3Dx%3Ar/main")]
    [InlineData("ext%3A%3Ash%20-c%20x/main")]
    [InlineData("https%3A%2F%2F127.0.0.1%2Fr/--upload-pack=x")]
    public async Task HostileGitSpec_Is400_BeforeASession_AndNoGitRuns(string spec)
    {
        await RefusedAsync("git", spec, 400);
    }

    [Theory]
    [InlineData("gh", "owner/repo")]
    [InlineData("gist", "owner/not-hex!")]
    [InlineData("gl", "noslash/main")]
    public async Task MalformedSpec_Is400_BeforeASession(string provider, string spec)
    {
        await RefusedAsync(provider, spec, 400);
    }

    [Fact]
    public async Task UnknownProvider_Is404_BeforeASession()
    {
        var only = await RefusedAsync("nope", "a/b", 404);

        Assert.Equal("No provider found for prefix nope\n", only.Event.Message);
    }

    [Fact]
    public async Task BannedSpec_Is403_BeforeASession()
    {
        var spec = "https%3A%2F%2Fbanned.example%2Fr/main";

        var only = await RefusedAsync("git", spec, 403);

        Assert.Equal($"Sorry, {spec} is not allowed to launch. Please contact admins for more info!\n", only.Event.Message);
    }

    [Fact]
    public async Task WellFormedGitSpec_StartsASession_AndGitGetsTheCanonicalUrl()
    {
        var (_, _, messages) = await RawBuildRequest.SendAsync(_server.Client, _server.BaseUri, "git", "gIt%3A%2F%2F127.0.0.1%2Fr/HEAD", Timeout);

        Assert.Equal(BinderPhase.Ready, messages[^1].Event.Phase);
        Assert.All(messages, m => Assert.NotNull(m.Id));
        Assert.Equal(new[] { "ls-remote", "--", "git://127.0.0.1/r", "HEAD", "HEAD^{}" }, Assert.Single(_git.Invocations).Arguments);
    }
}
