using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Tests.Providers;

/// <summary>
/// The four real providers as the server registers them (spec rules included), with git behind a
/// <see cref="RecordingGitRunner"/>, so a test sees every git command line and none runs.
/// </summary>
internal sealed class RecordedProviders : IDisposable
{
    private readonly ServiceProvider _services;

    public RecordedProviders(IDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton<IGitRunner>(Git);
        services.AddSingleton<IGitRefLister>(Git);
        services.AddRepoProviders();
        _services = services.BuildServiceProvider();
        Registry = new RepoProviderRegistry(_services.GetServices<IRepoProvider>());
    }

    public RecordingGitRunner Git { get; } = new();

    public RepoProviderRegistry Registry { get; }

    public IRepoProvider this[string id] => Registry.Find(id) ?? throw new ArgumentException($"no provider {id}", nameof(id));

    public void Dispose() => _services.Dispose();
}
