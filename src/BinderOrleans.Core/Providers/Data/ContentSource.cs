namespace BinderOrleans.Core.Providers.Data;

/// <summary>What a content fetcher gets from the build request: the provider's repository URL and resolved record version.</summary>
/// <param name="RepoUrl">BinderHub's <c>get_repo_url()</c> for the provider (the DOI, or the record's URL).</param>
/// <param name="ResolvedRef">The record version the provider resolved (e.g. Zenodo's record id).</param>
public sealed record ContentSource(string RepoUrl, string ResolvedRef);
