using BinderOrleans.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Testing;

/// <summary>The real server on Kestrel at 127.0.0.1 with a free port, configured by the test.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
        Client = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(10) };
    }

    public Uri BaseUri { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Settings every test server starts with unless the test gives its own: the per-IP rate limit is off, because
    /// a whole test class shares one client address (tests of the limit set <c>Security:RateLimit</c>), streams
    /// close right after <c>ready</c>, so a test reading to the end does not wait for the client-side close, and build
    /// logs are kept in the temp folder.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> TestDefaults { get; } = new Dictionary<string, string?>
    {
        ["Security:RateLimit"] = "0",
        ["Binder:ReadyHoldOpen"] = "00:00:00",
        // Kept build logs go to one folder per machine's temp, not the user's data folder (retention bounds it).
        ["Build:LogDirectory"] = Path.Combine(Path.GetTempPath(), "binderorleans-test-build-logs"),
    };

    /// <param name="settings">Configuration keys such as <c>Build:BaseImage</c>; they override appsettings.json.</param>
    /// <param name="configure">Replace services (fakes) after the defaults are registered.</param>
    public static async Task<RunningServer> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var effective = new Dictionary<string, string?>(TestDefaults, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) effective[key] = value;
        // Every test server is a silo of its own (localhost clustering) unless the test joins it to a cluster.
        effective.TryAdd("Orleans:SiloPort", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        effective.TryAdd("Orleans:GatewayPort", "0");

        // Backends are chosen while the defaults are registered, before `configure` runs: the settings go on the
        // command line so that choice (Build:Backend, Launch:Backend) sees them.
        var args = new List<string> { "--urls", "http://127.0.0.1:0", "--environment", "Development" };
        foreach (var (key, value) in effective)
        {
            if (value is not null) args.Add($"--{key}={value}");
        }
        var app = BinderServer.Create([.. args], builder => configure?.Invoke(builder.Services));
        return new RunningServer(app, await LoopbackHost.StartAsync(app).ConfigureAwait(false));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _app.StopAsync(cts.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
