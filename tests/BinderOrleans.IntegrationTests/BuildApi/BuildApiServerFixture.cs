using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.BuildApi;

/// <summary>One server for the bad-input tests: real providers (file:// allowed for test repositories), fake backends.</summary>
public sealed class BuildApiServerFixture : IAsyncLifetime
{
    internal NoBackendFakes Fakes { get; } = new();

    public RunningServer Server { get; private set; } = null!;

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Providers:Git:AllowedSchemes:0"] = "file",
        ["Providers:Git:AllowedSchemes:1"] = "http",
        ["Providers:Git:AllowedSchemes:2"] = "https",
        ["Providers:Git:AllowedSchemes:3"] = "git",
        ["Providers:Git:AllowedSchemes:4"] = "ssh",
        ["Providers:GitHub:ApiBaseUrl"] = "http://127.0.0.1:9",
        // The loopback git servers the tests start are allowed targets of the outbound guard.
        ["Security:AllowedTargetNetworks:0"] = "127.0.0.1/32",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    public async Task InitializeAsync() =>
        Server = await RunningServer.StartAsync(Settings(), Fakes.Register).WaitAsync(TimeSpan.FromSeconds(60));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
