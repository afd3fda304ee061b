namespace BinderOrleans.Core.Providers;

/// <summary>The enabled providers, by URL prefix, in configuration order.</summary>
public sealed class RepoProviderRegistry(IEnumerable<IRepoProvider> providers)
{
    private readonly IReadOnlyList<IRepoProvider> _providers = providers.ToArray();

    public IReadOnlyList<IRepoProvider> All => _providers;

    public IRepoProvider? Find(string id) => _providers.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal));
}
