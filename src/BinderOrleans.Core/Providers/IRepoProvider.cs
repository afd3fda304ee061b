namespace BinderOrleans.Core.Providers;

/// <summary>
/// A repository provider (BinderHub's <c>RepoProvider</c>): turns a spec such as <c>owner/repo/ref</c> into an
/// immutable reference. Providers are stateless singletons; per-spec data lives in <see cref="ResolveResult"/>.
/// </summary>
public interface IRepoProvider
{
    /// <summary>URL prefix, e.g. <c>gh</c>.</summary>
    string Id { get; }

    /// <summary>Display and analytics name, e.g. <c>GitHub</c> (the launch-event schema's enum).</summary>
    string Name { get; }

    /// <summary>What <c>/api/repoproviders</c> publishes for this provider.</summary>
    ProviderDisplayConfig DisplayConfig { get; }

    /// <summary>Resolves the spec (trailing slash already stripped). Expected failures are values, not exceptions.</summary>
    Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken);
}
