using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers;

/// <summary>The enabled providers, by URL prefix, in configuration order (<c>Providers:Enabled</c>, else registration order).</summary>
public sealed class RepoProviderRegistry
{
    private readonly IReadOnlyList<IRepoProvider> _providers;

    public RepoProviderRegistry(IEnumerable<IRepoProvider> providers)
        : this(providers, null)
    {
    }

    public RepoProviderRegistry(IEnumerable<IRepoProvider> providers, IOptions<RepoProvidersOptions>? options)
    {
        var all = providers.ToArray();
        _providers = options?.Value.Enabled is { } enabled
            ? enabled.Select(id => all.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal))).OfType<IRepoProvider>().ToArray()
            : all;
    }

    public IReadOnlyList<IRepoProvider> All => _providers;

    /// <summary>The enabled providers that <c>/api/repoproviders</c> and the home page offer.</summary>
    public IEnumerable<IRepoProvider> Listed => _providers.Where(p => p.Listed);

    public IRepoProvider? Find(string id) => _providers.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal));
}
