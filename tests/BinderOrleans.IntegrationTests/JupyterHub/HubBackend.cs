using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using BinderOrleans.JupyterHub;
using BinderOrleans.JupyterHub.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>The JupyterHub backend as the server registers it (<c>AddJupyterHubLauncher</c>, chosen by <c>Launch:Backend</c>), pointed at a test hub.</summary>
internal sealed class HubBackend : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private HubBackend(ServiceProvider services) => _services = services;

    public ILauncher Launcher => _services.GetRequiredService<ILauncher>();

    public ILaunchQuota Quota => _services.GetRequiredService<ILaunchQuota>();

    public IBinderHealthCheck Health => _services.GetServices<IBinderHealthCheck>().OfType<JupyterHubHealthCheck>().Single();

    /// <param name="settings">Extra keys (e.g. <c>JupyterHub:Retries</c>) over quick-retry defaults.</param>
    public static HubBackend For(HubProcess hub, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Launch:Backend"] = "jupyterhub",
            ["JupyterHub:Url"] = hub.PublicUrl.AbsoluteUri,
            ["JupyterHub:ApiToken"] = hub.ApiToken,
            ["JupyterHub:Retries"] = "2",
            ["JupyterHub:RetryDelay"] = "00:00:00.2",
            ["JupyterHub:LaunchTimeout"] = "00:01:30",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<BinderOrleans.Core.Builds.IRunningBuilds>(new BinderOrleans.Testing.FixedRunningBuilds());
        services.AddJupyterHubLauncher().AddSingleton(sp => sp.GetRequiredKeyedService<ILauncher>(LaunchBackend.JupyterHub));
        return new HubBackend(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    /// <summary>A launch request for <paramref name="image"/> as the launch grain makes it.</summary>
    public static LaunchRequest Request(string repoUrl, string image = HubProcess.Image) =>
        new(image, repoUrl, "git", repoUrl, repoUrl + "/tree/abc", "http://127.0.0.1/", "v2/git/spec", "v2/git/spec/abc", "127.0.0.1");

    /// <summary>Every event of one launch; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<List<BinderEvent>> LaunchAsync(LaunchRequest request, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var events = new List<BinderEvent>();
        try
        {
            await foreach (var e in Launcher.LaunchAsync(request, cts.Token)) events.Add(e);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"launch did not finish within {timeout}: {string.Join(" | ", events.Select(BinderEventJson.Serialize))}");
        }
        return events;
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
