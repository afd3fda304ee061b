using System.Net;
using System.Net.Sockets;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using Microsoft.Extensions.Options;

namespace BinderOrleans.IntegrationTests.BuildApi;

/// <summary>The <c>/build</c> endpoint under site configuration: defaults, spec rules, enabled providers, keepalives.</summary>
public sealed class BuildApiConfiguredTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly GitRepo _repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "hi\n" });

    public void Dispose() => _repo.Dispose();

    private static async Task<RunningServer> StartAsync(Dictionary<string, string?> settings, NoBackendFakes? fakes = null) =>
        await RunningServer.StartAsync(settings, (fakes ?? new NoBackendFakes()).Register).WaitAsync(Timeout);

    [Fact]
    public async Task FileScheme_IsRefusedByDefault()
    {
        await using var server = await StartAsync(new() { ["Logging:LogLevel:Default"] = "Warning" });

        var messages = await SseClient.ReadBuildAsync(server.Client, $"build/git/{Uri.EscapeDataString(_repo.Url)}/main", Timeout);

        var only = Assert.Single(messages).Event;
        Assert.Equal(BinderPhase.Failed, only.Phase);
        Assert.Equal(400, only.StatusCode);
        Assert.Equal($"Unsupported git url {_repo.Url}, protocol file not in https, http, git (Providers:Git:AllowedSchemes)\n", only.Message);
    }

    [Fact]
    public async Task BannedSpec_IsRefusedBeforeResolving_IgnoringCase()
    {
        var settings = BuildApiServerFixture.Settings();
        settings["Providers:Git:BannedSpecs:0"] = "FILE%3A%2F%2F%2Ftmp%2Fbinder-test-repo-";
        await using var server = await StartAsync(settings);
        var spec = $"{Uri.EscapeDataString(_repo.Url)}/main";

        var messages = await SseClient.ReadBuildAsync(server.Client, $"build/git/{spec}", Timeout);

        var only = Assert.Single(messages).Event;
        Assert.Equal(403, only.StatusCode);
        Assert.Equal($"Sorry, {spec} is not allowed to launch. Please contact admins for more info!\n", only.Message);
    }

    [Fact]
    public async Task DisabledProvider_IsUnknown_AndNotListed()
    {
        var settings = BuildApiServerFixture.Settings();
        settings["Providers:Enabled:0"] = "git";
        await using var server = await StartAsync(settings);

        var messages = await SseClient.ReadBuildAsync(server.Client, "build/gh/binder-examples/requirements/HEAD", Timeout);
        var list = await server.Client.GetStringAsync("api/repoproviders").WaitAsync(Timeout);

        var only = Assert.Single(messages).Event;
        Assert.Equal(404, only.StatusCode);
        Assert.Equal("No provider found for prefix gh\n", only.Message);
        Assert.DoesNotContain("\"gh\"", list);
        Assert.Contains("\"git\"", list);
    }

    [Fact]
    public async Task SlowResolution_SendsKeepaliveComments_ThenOneFailure()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var held = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            for (var i = 0; i < 4; i++) held.Add(await listener.AcceptSocketAsync());
        });
        var settings = BuildApiServerFixture.Settings();
        settings["Binder:KeepaliveInterval"] = "00:00:00.200";
        settings["Providers:Git:LsRemoteTimeout"] = "00:00:03";
        await using var server = await StartAsync(settings);
        var comments = new List<string>();
        using var cts = new CancellationTokenSource(Timeout);

        using var response = await SseClient.OpenAsync(server.Client, $"build/git/{Uri.EscapeDataString($"http://127.0.0.1:{port}/r.git")}/main",
            cancellationToken: cts.Token);
        var messages = new List<SseMessage>();
        await foreach (var m in SseClient.ReadAsync(response, c => { lock (comments) comments.Add(c); }, cts.Token)) messages.Add(m);

        Assert.Contains("keepalive", comments);
        var only = Assert.Single(messages).Event;
        Assert.Equal(504, only.StatusCode);
        Assert.Contains("git ls-remote did not answer within 3 seconds", only.Message);
        listener.Stop();
        foreach (var s in held) s.Dispose();
    }

    [Theory]
    [InlineData("Providers:GitHub:BannedSpecs:0", "(unclosed", "Providers:GitHub:BannedSpecs:0 is not a valid regular expression")]
    [InlineData("Providers:Git:SpecConfig:0:Pattern", "[x", "Providers:Git:SpecConfig:0:Pattern is not a valid regular expression")]
    [InlineData("Providers:Git:AllowedSchemes:0", "ext", "Providers:Git:AllowedSchemes:0 'ext'")]
    [InlineData("Providers:Enabled:0", "svn", "Providers:Enabled:0 names an unknown provider 'svn'")]
    [InlineData("Binder:PerRepoQuota", "-1", "Binder:PerRepoQuota must not be negative")]
    [InlineData("Providers:GitHub:Hostname", "https://github.com", "Providers:GitHub:Hostname must be a host name")]
    [InlineData("Providers:GitLab:ApiBaseUrl", "ftp://gitlab.example.org", "Providers:GitLab:ApiBaseUrl must be an absolute http(s) URL")]
    [InlineData("Providers:GitLab:RequestTimeout", "00:00:00", "Providers:GitLab:RequestTimeout must be positive")]
    [InlineData("Providers:Gist:Hostname", "gist.github.com/x", "Providers:Gist:Hostname must be a host name")]
    [InlineData("Providers:Gist:BannedSpecs:0", "(unclosed", "Providers:Gist:BannedSpecs:0 is not a valid regular expression")]
    public async Task InvalidProviderSettings_StopStartUp_NamingTheKey(string key, string value, string message)
    {
        var settings = BuildApiServerFixture.Settings();
        settings[key] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(settings));

        Assert.Contains(message, error.Message);
    }
}
