using System.Diagnostics;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using BinderOrleans.Tests.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit.Abstractions;

namespace BinderOrleans.Tests.Fuzz;

/// <summary>
/// Issue 11 from outside: generated <c>/build</c> requests against the real server (fake GitHub and GitLab on loopback,
/// no builds, instant launches, git behind the recording runner). Every answer is one 4xx <c>failed</c> event or a
/// launch; no git command line is unsafe; the server's memory after a full GC stays where it was.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class BuildApiFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    public const int Seed = 20261202;
    private const int WarmUp = 100;
    private const int Requests = 2_000;
    private const int MaxSent = 4_000;
    private const long MemoryBudget = 20L << 20;
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly RecordingGitRunner _git = new();
    private FakeGitHubServer _github = null!;
    private FakeGitLabServer _gitlab = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHubServer.StartAsync().WaitAsync(Timeout);
        _gitlab = await FakeGitLabServer.StartAsync().WaitAsync(Timeout);
        _github.SetRef("binder-examples", "requirements", "HEAD");
        _github.SetRef("octo", "a", "main");
        _github.SetGist("octo", "aa5a315d61ae9438b18d");
        _gitlab.SetRef("binder-examples/requirements", "HEAD");
        _git.Answer = i => new GitCommandResult(0, i.Arguments[3] == "HEAD" ? $"{Sha}\tHEAD\n" : "", "", TimedOut: false);
        _server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:GitHub:ApiBaseUrl"] = _github.BaseUri.ToString(),
            ["Providers:GitLab:ApiBaseUrl"] = _gitlab.BaseUri.ToString(),
            // The loopback hosts the generator names are allowed; its "inside" forms (127.0.0.3 however written) are not.
            ["Security:AllowedTargetNetworks:0"] = "127.0.0.1/32",
            ["Security:AllowedTargetNetworks:1"] = "::1/128",
            ["Logging:LogLevel:Default"] = "Error",
        }, services =>
        {
            ResolveOnlyBackends.Use(services);
            services.AddSingleton<BinderOrleans.Core.Outbound.IHostResolver>(new LoopbackHostResolver { Unknown = System.Net.IPAddress.Loopback });
            services.RemoveAll<IGitRunner>();
            services.AddSingleton<IGitRunner>(_git);
            services.RemoveAll<IGitRefLister>();
            services.AddSingleton<IGitRefLister>(_git);
        }).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _gitlab.DisposeAsync();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task GeneratedBuildRequests_Answer4xxOrLaunch_RunNothingUnsafe_AndHoldNoMemory()
    {
        var generator = new SpecGenerator(Seed);
        var schemes = new GitProviderOptions().EffectiveAllowedSchemes;
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var (gitRuns, answered, sent) = (0, 0, 0);
        long before = 0;
        var clock = Stopwatch.StartNew();

        // Counted: the requests the service itself answered (Kestrel's own refusals of a NUL in the path are extra).
        for (var n = 0; answered < Requests && n < WarmUp + MaxSent; n++)
        {
            if (n == WarmUp) before = GC.GetTotalMemory(forceFullCollection: true);
            var provider = generator.NextProvider();
            var spec = RawBuildRequest.WireSpec(generator.Next());
            if (spec.Length == 0) spec = "x";
            var (status, contentType, messages) = await RawBuildRequest.SendAsync(_server.Client, _server.BaseUri, provider, spec, Timeout);
            var what = $"#{n} /build/{provider}/{spec}";
            if (n >= WarmUp) sent++;

            if (status == 400 && spec.Contains("%00", StringComparison.Ordinal))
            {
                // Kestrel refuses a path that decodes to NUL before any of our code runs: a 4xx, but not an event.
                Assert.Empty(_git.Invocations);
                Tally(outcomes, n >= WarmUp, "HTTP 400 from Kestrel (NUL in path)");
                continue;
            }
            Assert.True(status == 200 && contentType == "text/event-stream", $"{what} answered HTTP {status} {contentType}");
            if (n >= WarmUp) answered++;
            Assert.NotEmpty(messages);
            var last = messages[^1].Event;
            if (last.Phase == BinderPhase.Failed)
            {
                Assert.True(last.StatusCode is >= 400 and < 500, $"{what} failed with {last.StatusCode}: {last.Message}");
                Assert.DoesNotContain(messages.SkipLast(1), m => m.Event.Phase == BinderPhase.Failed);
                Tally(outcomes, n >= WarmUp, $"failed {last.StatusCode}");
            }
            else
            {
                Assert.True(last.Phase == BinderPhase.Ready, $"{what} ended with {messages[^1].Data}");
                Tally(outcomes, n >= WarmUp, "ready");
            }
            foreach (var invocation in _git.Invocations)
            {
                gitRuns++;
                SpecParsingFuzzTests.AssertSafe(invocation, spec, schemes);
            }
            _git.Clear();
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"seed {Seed}: {sent} /build requests sent, {answered} answered by the service (after {WarmUp} warm-up) in {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"outcomes: {string.Join(", ", outcomes.Select(o => $"{o.Key} ×{o.Value}"))}");
        output.WriteLine($"git: {gitRuns} recorded command lines (none started)");
        output.WriteLine($"managed heap after full GC: {before / 1024} kB before, {after / 1024} kB after ({(after - before) / 1024:+#;-#;0} kB)");
        Assert.Equal(Requests, answered);
        Assert.True(outcomes.Keys.Any(k => k.StartsWith("failed 4", StringComparison.Ordinal)) && outcomes.ContainsKey("ready"),
            "the generator must reach both refusals and launches");
        Assert.True(after - before < MemoryBudget, $"the heap grew by {(after - before) >> 20} MB over {Requests} requests");
    }

    private static void Tally(SortedDictionary<string, int> outcomes, bool counted, string key)
    {
        if (counted) outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
    }
}
