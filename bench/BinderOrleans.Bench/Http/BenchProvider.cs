using BinderOrleans.Core.Providers;

namespace BinderOrleans.Bench.Http;

/// <summary>Provider <c>bench</c>: every spec resolves at once to a fixed commit, so the spec alone picks the image.</summary>
internal sealed class BenchProvider : IRepoProvider
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    public string Id => "bench";

    public string Name => "Bench";

    public ProviderDisplayConfig DisplayConfig { get; } = new()
    {
        DisplayName = "Bench", Id = "bench", Spec = new("[^/]+/.+"),
        Repo = new("repo", "owner/repo", false), Ref = new(true, "HEAD"),
    };

    public ResolveResult.Failed? CheckSpec(string spec) => null;

    public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken) =>
        Task.FromResult<ResolveResult>(new ResolveResult.Resolved(new ResolvedRepo(
            $"https://example.invalid/{spec}", Commit, $"https://example.invalid/{spec}/tree/{Commit}", $"{spec}/{Commit}", spec, "HEAD")));
}
