using BinderOrleans.BrowserTests.Fakes;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Providers;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>
/// Chromium plus the real server whose backend ports are small fakes (providers with BinderHub's display configs,
/// a repo2docker-like builder, a stand-in notebook server). For the pages, links and transports; the Docker
/// backend has its own fixture.
/// </summary>
public sealed class UiFixture : IAsyncLifetime
{
    /// <summary>Pause between fake build events: long enough for the page to show each phase.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    private IPlaywright? _playwright;

    public RunningServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    internal FakeNotebookServer Notebook { get; private set; } = null!;

    internal RecordingLaunchObserver Launches { get; } = new();

    internal FakeBuildBackend Backend { get; } = new(Step);

    public async Task InitializeAsync()
    {
        Notebook = await FakeNotebookServer.StartAsync(Step);
        var backend = Backend;
        Server = await StartServerAsync();
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    /// <summary>A server on the fixture's fakes; <paramref name="settings"/> override the defaults (tests of limits).</summary>
    /// <param name="realProviders">Keep the real gh/git providers instead of the fake ones.</param>
    public Task<RunningServer> StartServerAsync(IDictionary<string, string?>? settings = null, bool realProviders = false)
    {
        var all = new Dictionary<string, string?>
        {
            ["Binder:ReconnectGrace"] = "00:00:01",
            // Home-page launches and raw transports carry no build token; keep the per-IP limit out of the way.
            ["Security:RateLimit"] = "1000",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        return RunningServer.StartAsync(all, services =>
        {
            if (!realProviders)
            {
                services.RemoveAll<IRepoProvider>();
                foreach (var p in FakeRepoProvider.BinderHubLike()) services.AddSingleton(p);
            }
            services.RemoveAll<IImageRegistry>();
            services.RemoveAll<IImageBuilder>();
            services.RemoveAll<ILauncher>();
            services.AddSingleton<IImageRegistry>(Backend);
            services.AddSingleton<IImageBuilder>(Backend);
            services.AddSingleton<ILauncher>(Notebook);
            services.RemoveAll<ILaunchObserver>();
            services.AddSingleton<ILaunchObserver>(Launches);
        }).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        if (Notebook is not null) await Notebook.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiFixture>
{
    public const string Name = "ui";
}
