using System.Runtime.CompilerServices;
using BinderOrleans.Core.Events;
using BinderOrleans.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.IntegrationTests.BuildApi;

/// <summary>
/// Stand-ins for the backends in tests whose inputs fail before a build, or that only need a launch to "happen":
/// every image exists, building is a bug, launching answers at once. Counts calls so tests can prove nothing ran.
/// </summary>
internal sealed class NoBackendFakes : IImageRegistry, IImageBuilder, ILauncher
{
    private int _lookups;
    private int _builds;
    private int _launches;

    public int Lookups => Volatile.Read(ref _lookups);

    public int Builds => Volatile.Read(ref _builds);

    public int Launches => Volatile.Read(ref _launches);

    public BuildRequest? LastBuildRequest { get; private set; }

    public Action<IServiceCollection> Register => services =>
    {
        services.RemoveAll<IImageRegistry>();
        services.RemoveAll<IImageBuilder>();
        services.RemoveAll<ILauncher>();
        services.AddSingleton<IImageRegistry>(this);
        services.AddSingleton<IImageBuilder>(this);
        services.AddSingleton<ILauncher>(this);
    };

    public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        return Task.FromResult(ImageLookup.Found);
    }

    public async IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _builds);
        LastBuildRequest = request;
        await Task.Yield();
        yield return BinderEvent.Failed("NoBackendFakes cannot build.", 500);
    }

    public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _launches);
        await Task.Yield();
        yield return new BinderEvent { Phase = BinderPhase.Ready, Url = "http://127.0.0.1:1/user/fake/", Token = "fake-token" };
    }
}
