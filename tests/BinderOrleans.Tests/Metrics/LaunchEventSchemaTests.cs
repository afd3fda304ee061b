using System.Text.Json;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Providers;
using BinderOrleans.Testing;
using BinderOrleans.Tests.Grains;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Tests.Metrics;

/// <summary>The launch analytics event checked against BinderHub's schema <c>binderhub.jupyter.org/launch</c> v6 (fields, types, enums).</summary>
public sealed class LaunchEventSchemaTests
{
    private static readonly JsonSchema Schema =
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Metrics", "launch-event-v6.schema.json")));

    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> SchemaProviders => ["GitHub", "Gist", "GitLab", "Git", "Zenodo", "Figshare", "Hydroshare", "Dataverse", "CKAN"];

    [Theory]
    [MemberData(nameof(SchemaProviders))]
    public void Format_EveryProviderOfTheSchema_IsValid(string provider)
    {
        var line = LaunchEventLog.Format(new LaunchReport
        {
            ProviderId = "p", ProviderName = provider, Spec = "a/b/HEAD", ResolvedRef = "0123abc", Host = "binder.example:8585",
            Origin = null, UsedBuildToken = true, Succeeded = true,
        }, Now, normalizedOrigin: "");

        AssertValid(line);
    }

    [Fact]
    public async Task LaunchThroughTheServer_WritesAValidEvent()
    {
        var path = Path.Combine(Path.GetTempPath(), $"binder-events-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var server = await FakeBackends.StartServerAsync(new() { ["Binder:EventLogPath"] = path },
                services => services.AddSingleton<IRepoProvider>(GitNamedProvider())))
            {
                var messages = await SseClient.ReadBuildAsync(server.Client, "build/gittest/a/b/HEAD", TimeSpan.FromSeconds(30));
                Assert.Equal(BinderPhase.Ready, messages[^1].Event.Phase);
            }

            var line = Assert.Single(File.ReadAllLines(path));
            AssertValid(line);
            Assert.Equal("Git", (string?)JsonNode.Parse(line)!["provider"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("provider", "\"Bitbucket\"")]
    [InlineData("status", "\"ok\"")]
    [InlineData("build_token", "\"false\"")]
    [InlineData("version", "5")]
    [InlineData("ref", "null")]
    [InlineData("timestamp", "\"2026-12-01T12:00:00Z\"")]
    public void Schema_RefusesAWrongField(string field, string value)
    {
        var good = JsonNode.Parse(ValidLine())!.AsObject();
        good[field] = JsonNode.Parse(value);

        Assert.False(Evaluate(good.ToJsonString()).IsValid, $"{field}={value} must not pass");
    }

    [Fact]
    public void Schema_RefusesAMissingOrUnknownField()
    {
        var missing = JsonNode.Parse(ValidLine())!.AsObject();
        missing.Remove("request_origin");
        var extra = JsonNode.Parse(ValidLine())!.AsObject();
        extra["repo"] = "x";

        Assert.False(Evaluate(missing.ToJsonString()).IsValid);
        Assert.False(Evaluate(extra.ToJsonString()).IsValid);
    }

    private static string ValidLine() =>
        LaunchEventLog.Format(new LaunchReport { ProviderId = "gh", ProviderName = "GitHub", Spec = "a/b/HEAD", ResolvedRef = "abc", Host = "h", Succeeded = true },
            Now, normalizedOrigin: "mybinder.org");

    private static void AssertValid(string line)
    {
        var result = Evaluate(line);
        Assert.True(result.IsValid, $"{line} is not a valid launch event: {JsonSerializer.Serialize(result)}");
    }

    private static EvaluationResults Evaluate(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return Schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    /// <summary>A provider the schema's enum names (BinderHub's generic git), resolving without a network.</summary>
    private static FakeRepoProvider GitNamedProvider() =>
        new("gittest", "Git") { DisplayConfig = FakeRepoProvider.Display("gittest", "Git (test)", "[^/]+/.+") };
}
