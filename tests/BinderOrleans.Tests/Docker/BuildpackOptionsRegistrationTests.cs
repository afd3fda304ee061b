using BinderOrleans.Core;
using BinderOrleans.Server.Hosting;
using BinderOrleans.Docker.Buildpacks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Docker;

public sealed class BuildpackOptionsRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddBinderCore();
        services.AddBackends(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Buildpacks_MirrorConfigured_BoundFromItsSection()
    {
        using var provider = Build(new()
        {
            ["Buildpacks:MicromambaUrl"] = "http://mirror.example.org/micromamba.tar.bz2",
            ["Buildpacks:CondaChannelAlias"] = "http://mirror.example.org/conda",
        });

        var options = provider.GetRequiredService<IOptions<BuildpackOptions>>().Value;

        Assert.Equal("http://mirror.example.org/micromamba.tar.bz2", options.MicromambaUrl);
        Assert.Equal("http://mirror.example.org/conda", options.CondaChannelAlias);
        Assert.Equal(BuildpackOptions.DefaultJuliaVersionsUrl, options.JuliaVersionsUrl);
    }

    [Fact]
    public void Buildpacks_BadUrl_StartFailsNamingTheKey()
    {
        using var provider = Build(new() { ["Buildpacks:JuliaDownloadUrl"] = "http://mirror.example.org/julia.tar.gz" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<BuildpackOptions>>().Value);

        Assert.Contains("Buildpacks:JuliaDownloadUrl must contain {version}", error.Message);
    }

    [Fact]
    public void Buildpacks_BadChecksum_StartFailsNamingTheKey()
    {
        using var provider = Build(new() { ["Buildpacks:RStudioSha256"] = "not-a-sha", ["Buildpacks:ShinyServerUrl"] = "ftp://mirror.example.org/shiny.deb" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<BuildpackOptions>>().Value);

        Assert.Contains("Buildpacks:RStudioSha256 must be 64 hexadecimal digits", error.Message);
        Assert.Contains("Buildpacks:ShinyServerUrl must be an http or https URL", error.Message);
    }
}
