using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Testing;

/// <summary>The common part of every in-process fake server: quiet, on 127.0.0.1 with a free port.</summary>
public static class LoopbackHost
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A slim builder that listens on 127.0.0.1:0 (or another loopback <paramref name="address"/>) and logs nothing.</summary>
    public static WebApplicationBuilder CreateBuilder(System.Net.IPAddress? address = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{address ?? System.Net.IPAddress.Loopback}:0");
        builder.Logging.ClearProviders();
        return builder;
    }

    /// <summary>Starts the app and returns the address it bound, with a trailing slash.</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        await app.StartAsync().WaitAsync(StartTimeout).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }
}
