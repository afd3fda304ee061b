using BinderOrleans.Core.Options;

namespace BinderOrleans.Core.Providers;

/// <summary>
/// Applies a provider's spec rules around it, so every provider gets them the same way: banned specs are refused
/// before any network call, and resolved repositories carry their quota.
/// </summary>
internal sealed class SpecRulesProvider(IRepoProvider inner, SpecRules rules, SiteOptions site) : IRepoProvider, IPrivateRepoProvider
{
    public IRepoProvider Inner => inner;

    public string Id => inner.Id;

    public string Name => inner.Name;

    public ProviderDisplayConfig DisplayConfig => inner.DisplayConfig;

    public bool Listed => inner.Listed;

    /// <summary>The provider's own check first (BinderHub parses the spec before <c>is_banned()</c>), then the ban.</summary>
    public ResolveResult.Failed? CheckSpec(string spec) => inner.CheckSpec(spec) ?? Banned(spec);

    public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken) =>
        WithRulesAsync(spec, inner.ResolveAsync, cancellationToken);

    /// <summary>Null unless the provider itself resolves with a user's credentials.</summary>
    public string? CredentialUrlOf(string spec) => inner is IPrivateRepoProvider own && Banned(spec) is null ? own.CredentialUrlOf(spec) : null;

    public Task<ResolveResult> ResolveCheckedAsync(string spec, RepoCredential? credential, CancellationToken cancellationToken) =>
        inner is IPrivateRepoProvider own
            ? WithRulesAsync(spec, (s, ct) => own.ResolveCheckedAsync(s, credential, ct), cancellationToken)
            : ResolveAsync(spec, cancellationToken);

    private async Task<ResolveResult> WithRulesAsync(string spec, Func<string, CancellationToken, Task<ResolveResult>> resolve, CancellationToken cancellationToken)
    {
        if (Banned(spec) is { } banned) return banned;
        var result = await resolve(spec, cancellationToken).ConfigureAwait(false);
        return result is ResolveResult.Resolved resolved
            ? resolved with { Repo = resolved.Repo with { RepoQuota = rules.QuotaFor(spec, site) } }
            : result;
    }

    private ResolveResult.Failed? Banned(string spec) => rules.IsBanned(spec)
        ? new ResolveResult.Failed($"Sorry, {spec} is not allowed to launch. Please contact admins for more info!", 403)
        : null;
}
