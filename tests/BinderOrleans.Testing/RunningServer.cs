using BinderOrleans.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
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

    /// <param name="settings">Configuration keys such as <c>Build:BaseImage</c>; they override appsettings.json.</param>
    /// <param name="configure">Replace services (fakes) after the defaults are registered.</param>
    public static async Task<RunningServer> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        // Backends are chosen while the defaults are registered, before `configure` runs: give the settings on the
        // command line too, so that choice (Build:Backend, Launch:Backend) sees them.
        var args = new List<string> { "--urls", "http://127.0.0.1:0", "--environment", "Development" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is not null) args.Add($"--{key}={value}");
        }
        var app = BinderServer.Create([.. args], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            configure?.Invoke(builder.Services);
        });
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _app.StopAsync(cts.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
