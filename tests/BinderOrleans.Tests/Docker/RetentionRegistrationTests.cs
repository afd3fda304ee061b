using BinderOrleans.Core.Builds;
using BinderOrleans.Docker;
using BinderOrleans.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Docker;

/// <summary>Retention and warm-image settings as the host registers and checks them at start.</summary>
public sealed class RetentionRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings) => DockerBackendRegistrationTests.Build(settings);

    private static Dictionary<string, string?> WithRegistry(Dictionary<string, string?> more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Registry:Enabled"] = "true",
            ["Registry:Url"] = "http://127.0.0.1:9",
            ["Binder:ImagePrefix"] = "127.0.0.1:9/binder/",
            ["Registry:DockerConfig"] = Path.Combine(Path.GetTempPath(), "binder-test-no-docker-config-" + Guid.NewGuid().ToString("N")),
        };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    [Fact]
    public void Registry_OneRetentionPassPerStore()
    {
        using var provider = Build(WithRegistry(new() { ["Registry:Retention:UnusedDays"] = "30", ["Docker:WarmImages"] = "3" }));

        Assert.Equal(2, provider.GetServices<IHostedService>().OfType<ImageRetention>().Count());
        Assert.Equal(30, provider.GetRequiredService<IOptions<RegistryOptions>>().Value.Retention.UnusedDays);
        Assert.Equal(3, provider.GetRequiredService<IOptions<DockerOptions>>().Value.WarmImages);
    }

    [Fact]
    public void BadRetentionSettings_FailTheStart_NamingTheKeys()
    {
        using var provider = Build(WithRegistry(new()
        {
            ["Registry:Retention:MaxSize"] = "lots",
            ["Docker:ImageRetention:UnusedDays"] = "-2",
            ["Docker:ImageRetention:Interval"] = "00:00:00",
        }));

        var registry = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RegistryOptions>>().Value);
        Assert.Contains("Registry:Retention:MaxSize must be a size in bytes", registry.Message, StringComparison.Ordinal);
        var docker = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DockerOptions>>().Value);
        Assert.Contains("Docker:ImageRetention:UnusedDays", docker.Message, StringComparison.Ordinal);
        Assert.Contains("Docker:ImageRetention:Interval must be positive", docker.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WarmImages_WithoutARegistry_FailsTheStart()
    {
        using var provider = Build(new() { ["Docker:WarmImages"] = "2" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DockerOptions>>().Value);
        Assert.Contains("Docker:WarmImages needs Registry:Enabled=true", error.Message, StringComparison.Ordinal);
    }
}
