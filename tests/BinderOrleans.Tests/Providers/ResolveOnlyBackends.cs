using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Tests.Providers;

/// <summary>
/// Backends for running a provider through the real server without docker: every image exists, nothing builds, and a
/// launch is ready at once. What the stream shows is then the provider's doing.
/// </summary>
internal static class ResolveOnlyBackends
{
    public static void Use(IServiceCollection services)
    {
        services.RemoveAll<IImageRegistry>();
        services.RemoveAll<IImageBuilder>();
        services.RemoveAll<ILauncher>();
        services.AddSingleton<IImageRegistry>(new FakeImageRegistry { EveryImageExists = true });
        services.AddSingleton<IImageBuilder>(FakeImageBuilder.Refusing("The image exists; nothing should build."));
        services.AddSingleton<ILauncher>(FakeLauncher.Instant("http://127.0.0.1:1/user/x/", "t"));
    }
}
