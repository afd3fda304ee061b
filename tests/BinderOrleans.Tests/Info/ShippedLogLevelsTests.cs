using BinderOrleans.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace BinderOrleans.Tests.Info;

public sealed class ShippedLogLevelsTests
{
    [Fact]
    public void AppSettingsDefaults_StartedAnywhere_KeepOrleansAndPlacementRetriesOutOfTheLog()
    {
        // What a server started from another working directory reads: the file next to the program, nothing else.
        var configuration = new ConfigurationBuilder().AddAppSettingsDefaults().Build();

        Assert.Equal("Information", configuration["Logging:LogLevel:Default"]);
        // Orleans' start-up options dump, and Polly's two lines per grain placement.
        Assert.Equal("Warning", configuration["Logging:LogLevel:Orleans"]);
        Assert.Equal("Warning", configuration["Logging:LogLevel:Polly"]);
    }

    [Fact]
    public void AppSettingsDefaults_AnyOtherSource_Wins()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Orleans"] = "Information" })
            .AddAppSettingsDefaults()
            .Build();

        Assert.Equal("Information", configuration["Logging:LogLevel:Orleans"]);
    }
}
