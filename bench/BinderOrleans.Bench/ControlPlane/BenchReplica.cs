using BinderOrleans.Bench.FanOut;
using BinderOrleans.Bench.Http;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Providers;
using BinderOrleans.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Bench.ControlPlane;

/// <summary>
/// <c>BinderOrleans.Bench replica --Key=value …</c>: the real server (every route, silo, grain and configuration key)
/// with the bench's in-memory parts: provider <c>bench</c> resolving every spec at once, a builder that finishes at
/// once, a launcher that is ready at once. The control-plane row runs two of these as replica processes.
/// </summary>
internal static class BenchReplica
{
    public const string Command = "replica";

    public static async Task<int> RunAsync(string[] args)
    {
        var registry = new BenchRegistry();
        var app = BinderServer.Create(args, builder =>
        {
            var services = builder.Services;
            services.AddSingleton<IRepoProvider, BenchProvider>();
            services.RemoveAll<IImageRegistry>();
            services.AddSingleton<IImageRegistry>(registry);
            services.RemoveAll<IImageBuilder>();
            services.AddSingleton<IImageBuilder>(new PacedBuilder(registry, 0, TimeSpan.Zero));
            services.RemoveAll<ILauncher>();
            services.AddSingleton<ILauncher, InstantLauncher>();
        });
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
