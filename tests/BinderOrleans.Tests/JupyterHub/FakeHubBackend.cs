using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.JupyterHub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Tests.JupyterHub;

/// <summary>The JupyterHub backend as <c>AddJupyterHubLauncher</c> registers it, pointed at a <see cref="FakeHub"/>.</summary>
internal sealed class FakeHubBackend : IAsyncDisposable
{
    public const string Token = "test-service-token";

    private readonly ServiceProvider _services;

    private FakeHubBackend(ServiceProvider services) => _services = services;

    public ILauncher Launcher => _services.GetRequiredService<ILauncher>();

    public ILaunchQuota Quota => _services.GetRequiredService<ILaunchQuota>();

    public IServiceProvider Services => _services;

    public static FakeHubBackend For(FakeHub hub, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Launch:Backend"] = "jupyterhub",
            ["JupyterHub:Url"] = hub.Url.AbsoluteUri,
            ["JupyterHub:ApiToken"] = Token,
            ["JupyterHub:Retries"] = "2",
            ["JupyterHub:RetryDelay"] = "00:00:00.01",
            ["JupyterHub:LaunchTimeout"] = "00:00:30",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddSingleton<BinderOrleans.Core.Builds.IRunningBuilds>(new BinderOrleans.Testing.FixedRunningBuilds());
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section);
        services.AddJupyterHubLauncher().AddSingleton(sp => sp.GetRequiredKeyedService<ILauncher>(LaunchBackend.JupyterHub));
        return new FakeHubBackend(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    public static LaunchRequest Request(string repoUrl = "https://github.com/binder-examples/requirements", string image = "r2d-binder-examples:abc") =>
        new(image, repoUrl, "gh", "binder-examples/requirements/HEAD", repoUrl + "/tree/abc", "https://binder.example.org/",
            "v2/gh/binder-examples/requirements/HEAD", "v2/gh/binder-examples/requirements/abc", "192.0.2.7");

    public async Task<List<BinderEvent>> LaunchAsync(LaunchRequest request, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var events = new List<BinderEvent>();
        try
        {
            await foreach (var e in Launcher.LaunchAsync(request, cts.Token)) events.Add(e);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException("launch did not finish: " + string.Join(" | ", events.Select(BinderEventJson.Serialize)));
        }
        return events;
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
