using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Data;
using BinderOrleans.Testing.DataRepositories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Tests.Providers.Data;

/// <summary>The providers as the server registers them (<c>AddRepoProviders</c>), pointed at a <see cref="FakeDataRepositories"/>.</summary>
internal sealed class DataProviderHost : IDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="fake">The repositories the providers are pointed at.</param>
    /// <param name="settings">More settings, over <see cref="Settings"/>.</param>
    /// <param name="resolver">Name resolution for the outbound guard (default: the system's).</param>
    public DataProviderHost(FakeDataRepositories fake, IDictionary<string, string?>? settings = null, BinderOrleans.Core.Outbound.IHostResolver? resolver = null)
    {
        var all = Settings(fake);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
        services.AddLogging();
        if (resolver is not null) services.AddSingleton(resolver);
        services.AddRepoProviders();
        _services = services.BuildServiceProvider(validateScopes: true);
    }

    /// <summary>The settings that point every data provider at the fake.</summary>
    public static Dictionary<string, string?> Settings(FakeDataRepositories fake) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Providers:DoiBaseUrl"] = fake.DoiBaseUrl,
        ["Providers:Zenodo:BaseUrl"] = fake.ZenodoBaseUrl,
        ["Providers:Figshare:ApiBaseUrl"] = fake.FigshareApiBaseUrl,
        ["Providers:HydroShare:BaseUrl"] = fake.HydroShareBaseUrl,
    };

    public IRepoProvider Provider(string id) => _services.GetServices<IRepoProvider>().Single(p => p.Id == id);

    public IContentFetcher Fetcher(string id) => _services.GetServices<IContentFetcher>().Single(p => p.ProviderId == id);

    public void Dispose() => _services.Dispose();
}
