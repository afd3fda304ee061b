using IRequest = Octokit.Internal.IRequest;
using Octokit.Caching;
using Octokit.Internal;

namespace BinderOrleans.Core.Providers.GitHub;

/// <summary>
/// Octokit's response cache, bounded (least recently used first out). Octokit sends a cached answer's ETag as
/// <c>If-None-Match</c> and reuses the answer on 304, which GitHub does not count against the rate limit. Keyed by
/// media type and URL: one cache serves one set of credentials.
/// </summary>
internal sealed class GitHubResponseCache(int capacity, TimeProvider time) : IResponseCache
{
    private readonly LruCache<string, CachedResponse.V1> _entries = new(capacity, time);

    public Task<CachedResponse.V1> GetAsync(IRequest request) =>
        Task.FromResult(_entries.TryGet(Key(request), out var cached) ? cached : null!);

    public Task SetAsync(IRequest request, CachedResponse.V1 cachedResponse)
    {
        _entries.Set(Key(request), cachedResponse);
        return Task.CompletedTask;
    }

    private static string Key(IRequest request) =>
        $"{(request.Headers.TryGetValue("Accept", out var accept) ? accept : "")} {new Uri(request.BaseAddress, request.Endpoint)}";
}
