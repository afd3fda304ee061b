namespace BinderOrleans.Core.Providers.GitHub;

/// <summary>A resolved ref and the ETag that lets GitHub answer 304 (free of rate limit) while it still holds.</summary>
internal sealed record CachedCommit(string ETag, string Sha);
