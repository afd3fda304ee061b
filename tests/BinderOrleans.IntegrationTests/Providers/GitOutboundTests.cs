using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BinderOrleans.Core.Outbound;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.IntegrationTests.Providers;

/// <summary>
/// Issue 21 for git, with real git processes on loopback only: test hosts on 127.0.0.2 are allowed
/// (<c>Security:AllowedTargetNetworks=127.0.0.2/32</c>), the "inside" listener on 127.0.0.3 (and [::1]) must see no
/// connection, and git is held to the address the guard checked.
/// </summary>
public sealed class GitOutboundTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly InsideListener _inside = new();
    private readonly LoopbackHostResolver _resolver = new();

    public void Dispose() => _inside.Dispose();

    private OutboundGuard Guard() =>
        new(Microsoft.Extensions.Options.Options.Create(new OutboundOptions { AllowedTargetNetworks = ["127.0.0.2/32"] }), _resolver,
            NullLogger<OutboundGuard>.Instance);

    private GitPin Pin() => new(Guard());

    // As the service has it: git:// and http(s) refs listed in process (HTTP connections checked by the guard), the rest by git.
    private GitRepoProvider Provider(params string[] schemes) =>
        new(Microsoft.Extensions.Options.Options.Create(new GitProviderOptions { AllowedSchemes = schemes.Length > 0 ? [.. schemes] : null }),
            new GitCommand(TimeProvider.System), Pin(), NullLogger<GitRepoProvider>.Instance, GuardedGitRefs.Create(Guard()));

    private static async Task<ResolveResult> ResolveAsync(IRepoProvider provider, string url, string reference = "main") =>
        await provider.ResolveAsync($"{Uri.EscapeDataString(url)}/{reference}", CancellationToken.None).WaitAsync(Timeout);

    public static TheoryData<string, string> InsideForms()
    {
        var data = new TheoryData<string, string>();
        foreach (var scheme in new[] { "http", "https", "git" })
        {
            foreach (var host in InsideListener.HostForms) data.Add(scheme, host);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(InsideForms))]
    public async Task InsideTarget_IsRefusedWith403_BeforeGitRuns_TheSameForOpenAndClosedPorts(string scheme, string host)
    {
        var provider = Provider();
        var open = Assert.IsType<ResolveResult.Failed>(await ResolveAsync(provider, $"{scheme}://{host}:{_inside.Port}/r.git"));
        var closed = Assert.IsType<ResolveResult.Failed>(await ResolveAsync(provider, $"{scheme}://{host}:{_inside.ClosedPort}/r.git"));

        Assert.Equal(403, open.StatusCode);
        Assert.Equal(403, closed.StatusCode);
        Assert.Contains("Security:AllowedTargetNetworks", open.Message);
        Assert.Equal(open.Message.Replace(_inside.Port.ToString(CultureInfo.InvariantCulture), "PORT", StringComparison.Ordinal),
            closed.Message.Replace(_inside.ClosedPort.ToString(CultureInfo.InvariantCulture), "PORT", StringComparison.Ordinal));
        Assert.Equal(0, _inside.Connections);
    }

    [Fact]
    public async Task CloneOfAnInsideTarget_FailsWith403_AndNoGitRuns()
    {
        var recorder = new RecordingGitRunner();
        var fetcher = new GitFetcher(recorder, Microsoft.Extensions.Options.Options.Create(new GitProviderOptions()), Pin());
        var lines = new List<GitOutput>();
        var directory = Path.Combine(Path.GetTempPath(), "binder-outbound-" + Guid.NewGuid().ToString("N"), "checkout");

        await foreach (var line in fetcher.FetchAsync($"https://{LoopbackHostResolver.InsideName}:{_inside.Port}/r.git", "main", directory, null,
            CancellationToken.None).WithCancellation(new CancellationTokenSource(Timeout).Token))
        {
            lines.Add(line);
        }

        var failed = Assert.Single(lines);
        Assert.Equal(403, failed.StatusCode);
        Assert.Empty(recorder.Invocations);
        Assert.Equal(0, _inside.Connections);
    }

    [Fact]
    public async Task AllowedHost_ByName_ResolvesAndClones_AtTheCheckedAddress()
    {
        using var repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "hello\n" });
        using var daemon = await GitDaemon.StartAsync(repo, CancellationToken.None, LoopbackHostResolver.Allowed).WaitAsync(Timeout);
        _resolver.Names["repos.test"] = [LoopbackHostResolver.Allowed];
        var url = daemon.UrlOf(repo).Replace(LoopbackHostResolver.Allowed.ToString(), "repos.test", StringComparison.Ordinal);

        var resolved = Assert.IsType<ResolveResult.Resolved>(await ResolveAsync(Provider(), url));
        Assert.Equal(repo.Head, resolved.Repo.ResolvedRef);
        Assert.Equal(url, resolved.Repo.RepoUrl);

        var fetcher = new GitFetcher(new GitCommand(TimeProvider.System), Microsoft.Extensions.Options.Options.Create(new GitProviderOptions()), Pin());
        var directory = Path.Combine(Path.GetTempPath(), "binder-outbound-" + Guid.NewGuid().ToString("N"), "checkout");
        Directory.CreateDirectory(Path.GetDirectoryName(directory)!);
        try
        {
            var lines = new List<GitOutput>();
            await foreach (var line in fetcher.FetchAsync(url, repo.Head, directory, null, CancellationToken.None).WithCancellation(new CancellationTokenSource(Timeout).Token))
            {
                lines.Add(line);
            }
            Assert.DoesNotContain(lines, l => l.Failed);
            Assert.Equal("hello\n", File.ReadAllText(Path.Combine(directory, "README.md")));
        }
        finally
        {
            if (Directory.Exists(Path.GetDirectoryName(directory))) Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
        }
    }

    [Fact]
    public async Task HttpName_GitConnectsToTheCheckedAddress_NotWhereCurlWouldResolveIt()
    {
        // curl resolves "localhost" to 127.0.0.1 on its own; the guard's resolver says 127.0.0.2, and git must go there.
        using var allowed = new AnsweringListener(LoopbackHostResolver.Allowed, _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        _resolver.Names["localhost"] = [LoopbackHostResolver.Allowed];

        var failed = Assert.IsType<ResolveResult.Failed>(await ResolveAsync(Provider(), $"http://localhost:{allowed.Port}/r.git"));

        Assert.Equal(502, failed.StatusCode);
        Assert.True(allowed.Requests.Count > 0, "git did not reach the checked address");
        Assert.Contains(allowed.Requests, r => r.StartsWith("GET /r.git/info/refs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RedirectFromAnAllowedHost_IsNotFollowedInside()
    {
        var inside = _inside.Url("127.0.0.3", "/r.git/info/refs?service=git-upload-pack");
        using var allowed = new AnsweringListener(LoopbackHostResolver.Allowed,
            _ => $"HTTP/1.1 301 Moved Permanently\r\nLocation: {inside}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        var failed = Assert.IsType<ResolveResult.Failed>(await ResolveAsync(Provider(), $"http://127.0.0.2:{allowed.Port}/r.git"));

        Assert.NotEqual(200, failed.StatusCode);
        Assert.NotEmpty(allowed.Requests);
        Assert.Equal(0, _inside.Connections);
    }

    /// <summary>A loopback HTTP listener that records each request line and answers it with the given raw response.</summary>
    private sealed class AnsweringListener : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();

        public AnsweringListener(IPAddress address, Func<string, string> answer)
        {
            _listener = new TcpListener(address, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = Task.Run(async () =>
            {
                try
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        using var socket = await _listener.AcceptSocketAsync(_stop.Token);
                        var buffer = new byte[8192];
                        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                        var line = Encoding.ASCII.GetString(buffer, 0, n).Split("\r\n")[0];
                        Requests.Add(line);
                        await socket.SendAsync(Encoding.ASCII.GetBytes(answer(line)), SocketFlags.None, _stop.Token);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                }
            });
        }

        public int Port { get; }

        public System.Collections.Concurrent.ConcurrentBag<string> Requests { get; } = [];

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
