using BinderOrleans.Core.Outbound;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Tests.Providers;

/// <summary>
/// The four real providers as the server registers them (spec rules included), with git behind a
/// <see cref="RecordingGitRunner"/>, so a test sees every git command line and none runs. Names resolve through
/// <see cref="LoopbackHostResolver"/> (unknown ones to 127.0.0.1), and unless <paramref name="settings"/> say otherwise
/// <c>Security:AllowedTargetNetworks</c> is 127.0.0.1/32 and ::1/128, the loopback hosts these tests name.
/// </summary>
internal sealed class RecordedProviders : IDisposable
{
    private readonly ServiceProvider _services;

    public RecordedProviders(IDictionary<string, string?>? settings = null)
    {
        settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (!settings.Keys.Any(k => k.StartsWith("Security:AllowedTargetNetworks", StringComparison.Ordinal)))
        {
            settings["Security:AllowedTargetNetworks:0"] = "127.0.0.1/32";
            settings["Security:AllowedTargetNetworks:1"] = "::1/128";
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton<IGitRunner>(Git);
        services.AddSingleton<IGitRefLister>(Git);
        services.AddSingleton<IHostResolver>(Resolver);
        services.AddRepoProviders();
        _services = services.BuildServiceProvider();
        Registry = new RepoProviderRegistry(_services.GetServices<IRepoProvider>());
    }

    public RecordingGitRunner Git { get; } = new();

    public LoopbackHostResolver Resolver { get; } = new() { Unknown = System.Net.IPAddress.Loopback };

    public RepoProviderRegistry Registry { get; }

    public IRepoProvider this[string id] => Registry.Find(id) ?? throw new ArgumentException($"no provider {id}", nameof(id));

    public void Dispose() => _services.Dispose();
}
