using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.IntegrationTests.Docker;
using BinderOrleans.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace BinderOrleans.IntegrationTests.EndToEnd;

/// <summary>
/// The SignalR hub (<c>/hubs/build</c>, method <c>Build</c>) spoken by the .NET client, against <c>/build</c> SSE, on one
/// real build: both streams watch the same build and each launches its own server.
/// </summary>
[Collection(DockerBackendCollection.Name)]
public sealed partial class BuildHubParityTests(DockerBackendFixture fixture)
{
    [Fact]
    public async Task HubBuild_SameRepoAsSse_SamePhasesMessagesAndReadyShape()
    {
        using var repo = GitRepo.Create(new Dictionary<string, string> { ["index.ipynb"] = Repos.Notebook, ["README.md"] = $"hub parity {Guid.NewGuid():N}\n" });
        using var cts = new CancellationTokenSource(DockerBackendFixture.BuildTimeout);
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(fixture.Server.BaseUri, "hubs/build")).Build();
        await hub.StartAsync(cts.Token);

        var fromHub = ReadHubAsync(hub, $"{Uri.EscapeDataString(repo.Url)}/{repo.Head}", cts.Token);
        var fromSse = fixture.StreamAsync(repo, repo.Head);
        var hubEvents = await fromHub;
        var sseEvents = (await fromSse).Select(m => m.Data).ToList();

        Assert.Contains(BinderPhase.Building, Phases(sseEvents));
        Assert.Equal(Phases(sseEvents), Phases(hubEvents));
        Assert.Equal(Messages(sseEvents), Messages(hubEvents));
        Assert.Equal(Shape(sseEvents[^1]), Shape(hubEvents[^1]));
        var hubReady = BinderEventJson.Deserialize(hubEvents[^1])!;
        var sseReady = BinderEventJson.Deserialize(sseEvents[^1])!;
        Assert.Equal(BinderPhase.Ready, hubReady.Phase);
        Assert.Equal(sseReady.Image, hubReady.Image);
        Assert.NotEqual(sseReady.Token, hubReady.Token);

        await fixture.RemoveAsync((await fixture.ContainerOfAsync(hubReady)).ID);
        await fixture.RemoveAsync((await fixture.ContainerOfAsync(sseReady)).ID);
    }

    /// <summary>Each stream item's JSON text, until the hub ends the stream after the terminal event.</summary>
    private static async Task<List<string>> ReadHubAsync(HubConnection hub, string spec, CancellationToken cancellationToken)
    {
        var events = new List<string>();
        await foreach (var item in hub.StreamAsync<JsonElement>("Build", "git", spec, cancellationToken)) events.Add(item.GetRawText());
        return events;
    }

    /// <summary>Phases in order with repeats collapsed, the initial waiting dropped.</summary>
    private static List<string> Phases(List<string> events)
    {
        var phases = new List<string>();
        foreach (var phase in events.Select(e => BinderEventJson.Deserialize(e)!.Phase).SkipWhile(p => p == BinderPhase.Waiting))
        {
            if (phases.Count == 0 || phases[^1] != phase) phases.Add(phase);
        }
        return phases;
    }

    /// <summary>
    /// Phase and message of every event but the last (the ready event); each stream launches its own server, so the
    /// server container's name and port are masked.
    /// </summary>
    private static List<(string, string?)> Messages(List<string> events) =>
        events[..^1].Select(e => BinderEventJson.Deserialize(e)!).Where(e => e.Phase != BinderPhase.Waiting)
            .Select(e => (e.Phase, e.Message is null ? null : OwnServer().Replace(e.Message, "<server>"))).ToList();

    [GeneratedRegex(@"binder-[0-9a-f]{12}|port \d+")]
    private static partial Regex OwnServer();

    private static List<string> Shape(string json) => [.. JsonNode.Parse(json)!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal)];
}
