using BinderOrleans.Core.Options;

namespace BinderOrleans.Core.Providers;

/// <summary>
/// Applies a provider's spec rules around it, so every provider gets them the same way: banned specs are refused
/// before any network call, and resolved repositories carry their quota.
/// </summary>
internal sealed class SpecRulesProvider(IRepoProvider inner, SpecRules rules, SiteOptions site) : IRepoProvider
{
    public IRepoProvider Inner => inner;

    public string Id => inner.Id;

    public string Name => inner.Name;

    public ProviderDisplayConfig DisplayConfig => inner.DisplayConfig;

    public async Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (rules.IsBanned(spec))
        {
            return new ResolveResult.Failed($"Sorry, {spec} is not allowed to launch. Please contact admins for more info!", 403);
        }
        var result = await inner.ResolveAsync(spec, cancellationToken).ConfigureAwait(false);
        return result is ResolveResult.Resolved resolved
            ? resolved with { Repo = resolved.Repo with { RepoQuota = rules.QuotaFor(spec, site) } }
            : result;
    }
}
