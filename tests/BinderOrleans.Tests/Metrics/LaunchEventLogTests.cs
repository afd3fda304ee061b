using System.Text.Json.Nodes;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.Tests.Metrics;

public sealed class LaunchEventLogTests
{
    [Fact]
    public void SuccessfulLaunch_IsWrittenAsSchemaV6Line_FailuresAreNot()
    {
        var path = Path.Combine(Path.GetTempPath(), $"binder-events-{Guid.NewGuid():N}.jsonl");
        try
        {
            using (var log = new LaunchEventLog(Microsoft.Extensions.Options.Options.Create(new SiteOptions { EventLogPath = path }), TimeProvider.System, NullLogger<LaunchEventLog>.Instance))
            {
                log.OnLaunchFinished(new LaunchReport { ProviderId = "gh", ProviderName = "GitHub", Spec = "a/b/HEAD", ResolvedRef = "abc", Host = "binder.example:8585", Origin = "https://book.example", Succeeded = true });
                log.OnLaunchFinished(new LaunchReport { ProviderId = "gh", ProviderName = "GitHub", Spec = "a/b/HEAD", Succeeded = false });
            }
            var line = Assert.Single(File.ReadAllLines(path));
            var json = JsonNode.Parse(line)!.AsObject();
            Assert.Equal("binderhub.jupyter.org/launch", (string?)json["schema"]);
            Assert.Equal(6, (int?)json["version"]);
            Assert.Equal("GitHub", (string?)json["provider"]);
            Assert.Equal("a/b/HEAD", (string?)json["spec"]);
            Assert.Equal("abc", (string?)json["ref"]);
            Assert.Equal("success", (string?)json["status"]);
            Assert.False((bool?)json["build_token"]);
            Assert.Equal("binder.example:8585", (string?)json["origin"]);
            Assert.Equal("https://book.example", (string?)json["request_origin"]);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", (string?)json["timestamp"]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
