using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.IntegrationTests.BuildApi;

/// <summary>
/// Stand-ins for the backends in tests whose inputs fail before a build, or that only need a launch to "happen":
/// every image exists, building is a bug, launching answers at once. Counts calls so tests can prove nothing ran.
/// </summary>
internal sealed class NoBackendFakes
{
    private readonly FakeImageRegistry _registry = new() { EveryImageExists = true };
    private readonly FakeImageBuilder _builder = FakeImageBuilder.Failing("NoBackendFakes cannot build.");
    private readonly FakeLauncher _launcher = FakeLauncher.Instant("http://127.0.0.1:1/user/fake/", "fake-token");

    public int Lookups => _registry.Lookups;

    public int Builds => _builder.Calls;

    public int Launches => _launcher.Calls;

    public BuildRequest? LastBuildRequest => _builder.LastRequest;

    public Action<IServiceCollection> Register => services =>
    {
        services.RemoveAll<IImageRegistry>();
        services.RemoveAll<IImageBuilder>();
        services.RemoveAll<ILauncher>();
        services.AddSingleton<IImageRegistry>(_registry);
        services.AddSingleton<IImageBuilder>(_builder);
        services.AddSingleton<ILauncher>(_launcher);
    };
}
