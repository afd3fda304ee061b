using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>The SignalR hub, driven from a page by <c>@microsoft/signalr</c>, against the fake backend.</summary>
[Collection(UiCollection.Name)]
public sealed class HubTests(UiFixture fixture)
{
    /// <summary>
    /// Runs, in the page, an EventSource on /build and a SignalR stream for the same spec at the same time (both attach
    /// to one build; whichever comes second replays it), each to its terminal event; returns both as JSON texts
    /// (the SSE ones exactly as received).
    /// </summary>
    internal const string BothTransportsScript = """
        async ([provider, spec]) => {
          const terminal = (e) => e.phase === "ready" || e.phase === "failed";
          const connection = new signalR.HubConnectionBuilder().withUrl("hubs/build").build();
          await connection.start();
          const ssePromise = new Promise((resolve, reject) => {
            const list = [];
            const source = new EventSource(`build/${provider}/${spec}`);
            source.onmessage = (m) => {
              list.push(m.data);
              if (terminal(JSON.parse(m.data))) { source.close(); resolve(list); }
            };
            source.onerror = () => { if (source.readyState === EventSource.CLOSED) reject(new Error("SSE closed")); };
          });
          const hubPromise = new Promise((resolve, reject) => {
            const list = [];
            connection.stream("Build", provider, spec).subscribe({
              next: (e) => { list.push(JSON.stringify(e)); },
              complete: () => resolve(list),
              error: (err) => reject(err),
            });
          });
          const [sse, hub] = await Promise.all([ssePromise, hubPromise]);
          await connection.stop();
          return { sse, hub };
        }
        """;

    private static readonly string[] PerLaunchFields = ["url", "token", "message"];

    [Theory]
    [InlineData("owner/parity/HEAD")]
    [InlineData("owner/parity-fail/HEAD")]
    public async Task SignalRPage_SameSpec_ReceivesSameEventsInSameOrderAsEventSource(string spec)
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(fixture.Server.BaseUri.ToString());
            var result = await page.EvaluateAsync<JsonElement>(BothTransportsScript, new[] { "gh", spec });
            AssertSameEvents(result);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>
    /// Same JSON text for every event up to the launch (resolve, build — the shared part). From <c>launching</c> on,
    /// each session starts its own server and reports its own progress (how many "still starting" messages depends on
    /// how long that server took), so: the same phases in the same order, and in <c>ready</c> the same fields and values
    /// except the server's own (url, token, message).
    /// </summary>
    internal static void AssertSameEvents(JsonElement result)
    {
        var sse = result.GetProperty("sse").EnumerateArray().Select(e => JsonNode.Parse(e.GetString()!)!.AsObject()).ToList();
        var hub = result.GetProperty("hub").EnumerateArray().Select(e => JsonNode.Parse(e.GetString()!)!.AsObject()).ToList();
        Assert.True(sse.Count >= 3, $"expected a whole stream, got {sse.Count} events");
        static int LaunchAt(List<JsonObject> events) =>
            events.FindIndex(e => (string?)e["phase"] is "launching" or "ready" or "failed") is var i and >= 0 ? i : events.Count;
        var (sseLaunch, hubLaunch) = (LaunchAt(sse), LaunchAt(hub));
        Assert.Equal(sse.Take(sseLaunch).Select(e => e.ToJsonString()), hub.Take(hubLaunch).Select(e => e.ToJsonString()));

        static List<string?> Phases(IEnumerable<JsonObject> events)
        {
            var phases = new List<string?>();
            foreach (var phase in events.Select(e => (string?)e["phase"])) if (phases.Count == 0 || phases[^1] != phase) phases.Add(phase);
            return phases;
        }
        Assert.Equal(Phases(sse.Skip(sseLaunch)), Phases(hub.Skip(hubLaunch)));
        var (lastA, lastB) = (sse[^1], hub[^1]);
        if ((string?)lastA["phase"] == "ready")
        {
            foreach (var field in PerLaunchFields) { lastA.Remove(field); lastB.Remove(field); }
        }
        Assert.Equal(lastA.ToJsonString(), lastB.ToJsonString()); // same fields, same order, nulls omitted alike
    }

    private const string FirstEventScript = """
        async ([hubUrl, spec]) => {
          const connection = new signalR.HubConnectionBuilder().withUrl(hubUrl).build();
          await connection.start();
          const first = await new Promise((resolve, reject) => {
            const sub = connection.stream("Build", "gh", spec).subscribe({ next: (e) => resolve(e), error: reject, complete: () => resolve(null) });
          });
          await connection.stop();
          return JSON.stringify(first);
        }
        """;

    [Fact]
    public async Task HubStream_InvalidBuildToken_IsRefusedLikeTheEventStream()
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(fixture.Server.BaseUri.ToString());
            var first = await page.EvaluateAsync<string>(FirstEventScript, new[] { "hubs/build?build_token=not-a-token", "owner/token/HEAD" });
            Assert.Equal(@"{""phase"":""failed"",""message"":""Invalid build token\n"",""status_code"":403}", first);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task HubStream_OverTheRateLimit_IsRefusedAndCountsWithTheEventStream()
    {
        await using var limited = await fixture.StartServerAsync(new Dictionary<string, string?> { ["Security:RateLimit"] = "2" });
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(limited.BaseUri.ToString());
            using var sse = await BinderOrleans.Testing.SseClient.OpenAsync(limited.Client, "build/gh/owner/limited/HEAD").WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("1", sse.Headers.GetValues("x-ratelimit-remaining").Single());
            var second = await page.EvaluateAsync<string>(FirstEventScript, new[] { "hubs/build", "owner/limited/HEAD" });
            Assert.Contains(@"""phase"":""waiting""", second);
            var third = await page.EvaluateAsync<string>(FirstEventScript, new[] { "hubs/build", "owner/limited/HEAD" });
            Assert.StartsWith("{\"phase\":\"failed\",\"message\":\"Rate limit exceeded. Try again in ", third);
            Assert.EndsWith(@"seconds.\n"",""status_code"":429}", third);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task HubStream_ClientLeavesMidBuild_SessionIsCancelledAndNoServerStarts()
    {
        const string spec = "owner/slow-leaver/HEAD";
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(fixture.Server.BaseUri.ToString());
            await page.EvaluateAsync("""
                async (spec) => {
                  const connection = new signalR.HubConnectionBuilder().withUrl("hubs/build").build();
                  await connection.start();
                  await new Promise((resolve) => {
                    connection.stream("Build", "gh", spec).subscribe({ next: (e) => { if (e.phase === "building") resolve(); }, error: resolve, complete: resolve });
                  });
                  await connection.stop();
                }
                """, spec);
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        var report = await fixture.Launches.WaitForAsync(spec, TimeSpan.FromSeconds(30));
        Assert.False(report.Succeeded);
        Assert.DoesNotContain($"v2/gh/{spec}", fixture.Notebook.Requests);
    }

    [Fact]
    public async Task LoadingPage_TwoVisitorsAtOnce_ShareOneBuildAndGetTheirOwnServers()
    {
        const string spec = "owner/two-visitors/HEAD";
        var first = await Chromium.NewPageAsync(fixture.Browser);
        var second = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            var url = $"{fixture.Server.BaseUri}v2/gh/{spec}";
            await Task.WhenAll(first.GotoAsync(url), second.GotoAsync(url));
            var landed = new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(fixture.Notebook.BaseUri.ToString())}user/session-");
            var timeout = new PageWaitForURLOptions { Timeout = 30_000 };
            await Task.WhenAll(first.WaitForURLAsync(landed, timeout), second.WaitForURLAsync(landed, timeout));

            Assert.NotEqual(new Uri(first.Url).AbsolutePath, new Uri(second.Url).AbsolutePath);
            Assert.Equal(1, fixture.Backend.Builds["https://repos.example.invalid/owner/two-visitors"]);
        }
        finally
        {
            await first.Context.CloseAsync();
            await second.Context.CloseAsync();
        }
    }
}
