using BinderOrleans.Testing;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>
/// Chromium plus the real server on its embedded default backend (local Docker engine builds and launches) with the
/// <c>git</c> provider allowed to read <c>file://</c> repositories the tests make. Everything the backend makes
/// carries this run's sandbox label, and disposal removes exactly that.
/// </summary>
public sealed class DockerUiFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public DockerSandbox Sandbox { get; } = new();

    public RunningServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = Sandbox.Settings();
        settings["Providers:Git:AllowedSchemes:0"] = "file";
        settings["Security:RateLimit"] = "1000";
        Server = await RunningServer.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(60));
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DockerUiCollection : ICollectionFixture<DockerUiFixture>
{
    public const string Name = "docker-ui";
}
