using System.Runtime.CompilerServices;
using BinderOrleans.Core.Events;
using BinderOrleans.Core.Ports;
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
        services.AddSingleton<IImageRegistry, ExistingImages>();
        services.AddSingleton<IImageBuilder, NoBuilds>();
        services.AddSingleton<ILauncher, InstantLauncher>();
    }

    private sealed class ExistingImages : IImageRegistry
    {
        public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken) => Task.FromResult(ImageLookup.Found);
    }

    private sealed class NoBuilds : IImageBuilder
    {
        public IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The image exists; nothing should build.");
    }

    private sealed class InstantLauncher : ILauncher
    {
        public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return new BinderEvent { Phase = BinderPhase.Ready, Url = "http://127.0.0.1:1/user/x/", Token = "t" };
        }
    }
}
