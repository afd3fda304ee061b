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

    /// <summary>Whether <c>/api/repoproviders</c> and the home page offer it (a provider that refuses every spec is not listed, yet still answers).</summary>
    bool Listed => true;

    /// <summary>
    /// The cheap syntactic check of a spec (trailing slash already stripped): no I/O and no process. Null when the spec is well-formed for this provider; otherwise the refusal (400 malformed, 403 banned), the
    /// same one <see cref="ResolveAsync"/> would give. Both entrances call it before a launch session exists.
    /// </summary>
    ResolveResult.Failed? CheckSpec(string spec);

    /// <summary>Resolves the spec (trailing slash already stripped). Expected failures are values, not exceptions.</summary>
    Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken);
}
