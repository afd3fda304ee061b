using BinderOrleans.Testing;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>
/// Chromium plus the real server on its embedded default backend (local Docker engine builds and launches) with the
/// <c>git</c> provider allowed to read <c>file://</c> repositories the tests make. Images get a per-run prefix, so
/// disposal removes exactly this run's images and the servers started from them.
/// </summary>
public sealed class DockerUiFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public string ImagePrefix { get; } = $"binderorleans-uitest-{Guid.NewGuid():N}"[..32] + "-";

    public RunningServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Binder:ImagePrefix"] = ImagePrefix,
            ["Providers:Git:AllowedSchemes:0"] = "file",
            ["Security:RateLimit"] = "1000",
        }).WaitAsync(TimeSpan.FromSeconds(60));
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        await DockerCleanup.RemoveByImagePrefixAsync(ImagePrefix);
    }
}

[CollectionDefinition(Name)]
public sealed class DockerUiCollection : ICollectionFixture<DockerUiFixture>
{
    public const string Name = "docker-ui";
}
