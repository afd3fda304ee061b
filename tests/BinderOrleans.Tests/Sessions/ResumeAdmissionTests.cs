using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using BinderOrleans.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BinderOrleans.Tests.Sessions;

/// <summary>
/// A Last-Event-ID names a session only if this service issued it and someone runs it; anything else is a new request,
/// admitted (rate limit, spec, session bound) before any grain is activated. Alone: it measures the process's heap.
/// </summary>
[Collection(Fuzz.AloneCollection.Name)]
public sealed class ResumeAdmissionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string Path = "build/fake/a/b/HEAD";

    [Fact]
    public async Task ThreeThousandRandomResumeIds_AreNewRequests_AndCostUnder10MB()
    {
        const int Admitted = 20;
        await using var server = await FakeBackends.StartServerAsync(new() { ["Security:RateLimit"] = (Admitted + 1).ToString() });
        var sessions = server.Services.GetRequiredService<LaunchSessions>();
        // One new request first: it warms every path up, and it is what the random ids must be treated like.
        var first = await SseClient.ReadBuildAsync(server.Client, Path, Timeout);
        Assert.Equal(BinderPhase.Ready, first[^1].Event.Phase);
        var activationsBefore = await LaunchActivationsAsync(server);
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = Process.GetCurrentProcess().WorkingSet64;

        // The ids (32 hex digits) and ids shaped like ours with a signature nobody made.
        var ids = Enumerable.Range(0, 3000).Select(i =>
            $"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(i % 2 == 0 ? 16 : SessionKeys.KeyLength / 2))}:{i % 7}").ToList();
        var results = new List<(string Id, List<SseMessage> Events)>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            using var cts = new CancellationTokenSource(Timeout);
            using var response = await SseClient.OpenAsync(server.Client, Path, lastEventId: id, cancellationToken: cts.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var events = await SseClient.ReadAsync(response, cancellationToken: cts.Token).ToListAsync(cts.Token);
            lock (results) results.Add((id, events));
        });

        var memoryGrowth = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        var activations = await LaunchActivationsAsync(server) - activationsBefore;
        output.WriteLine($"3000 random resume ids: managed heap +{memoryGrowth / 1024.0 / 1024.0:F2} MB, working set " +
            $"+{(Process.GetCurrentProcess().WorkingSet64 - rssBefore) / 1024.0 / 1024.0:F2} MB, launch activations +{activations}");
        // Each was admitted as a new session under a key of ours (not the client's), or refused by the rate limit.
        var admitted = results.Where(r => r.Events[^1].Event.Phase == BinderPhase.Ready).ToList();
        Assert.Equal(Admitted, admitted.Count);
        Assert.All(admitted, r =>
        {
            var (key, index) = SplitId(r.Events[0].Id!);
            Assert.NotEqual(r.Id.Split(':')[0], key);
            Assert.True(sessions.IsValidKey(key));
            Assert.Equal(0, index);
        });
        Assert.All(results.Except(admitted), r => Assert.Equal(429, Assert.Single(r.Events).Event.StatusCode));
        // ...as a new request is now.
        using var plain = await SseClient.OpenAsync(server.Client, Path);
        Assert.Equal(429, Assert.Single(await SseClient.ReadAsync(plain).ToListAsync()).Event.StatusCode);
        Assert.True(activations <= Admitted, $"{activations} launch activations for {Admitted} admitted requests");
        Assert.True(memoryGrowth < 10 * 1024 * 1024, $"managed heap grew by {memoryGrowth} bytes");
    }

    [Fact]
    public async Task SignedIdOfASessionNobodyRuns_IsAdmittedLikeANewRequest_BeforeItsGrainIsActivated()
    {
        await using var server = await FakeBackends.StartServerAsync(new() { ["Security:RateLimit"] = "2" });
        var sessions = server.Services.GetRequiredService<LaunchSessions>();
        var grains = server.Services.GetRequiredService<IGrainFactory>();

        // Admitted: the session restarts under its own key, numbering on after the client's last event.
        var lost = sessions.NewKey();
        using (var response = await SseClient.OpenAsync(server.Client, Path, lastEventId: $"{lost}:4"))
        {
            var events = await SseClient.ReadAsync(response).ToListAsync();
            Assert.Equal(BinderPhase.Ready, events[^1].Event.Phase);
            Assert.Equal((lost, 5), SplitId(events[0].Id!));
        }
        await SseClient.ReadBuildAsync(server.Client, Path, Timeout);

        // Refused by the rate limit, as a new request is: and nothing was activated for it.
        var refused = sessions.NewKey();
        using (var response = await SseClient.OpenAsync(server.Client, Path, lastEventId: $"{refused}:4"))
        {
            Assert.Equal(429, Assert.Single(await SseClient.ReadAsync(response).ToListAsync()).Event.StatusCode);
        }
        var active = await grains.GetGrain<IManagementGrain>(0).GetActiveGrains(LaunchGrainType(grains));
        Assert.Contains(grains.GetGrain<ILaunchGrain>(lost).GetGrainId(), active);
        Assert.DoesNotContain(grains.GetGrain<ILaunchGrain>(refused).GetGrainId(), active);
    }

    private static (string Key, int Index) SplitId(string id)
    {
        var colon = id.LastIndexOf(':');
        return (id[..colon], int.Parse(id[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static GrainType LaunchGrainType(IGrainFactory grains) => grains.GetGrain<ILaunchGrain>("probe").GetGrainId().Type;

    private static async Task<int> LaunchActivationsAsync(RunningServer server)
    {
        var grains = server.Services.GetRequiredService<IGrainFactory>();
        return (await grains.GetGrain<IManagementGrain>(0).GetActiveGrains(LaunchGrainType(grains)).AsTask().WaitAsync(Timeout)).Count;
    }
}
