using BinderOrleans.Core.Providers;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>Provider <c>k8s</c>: <c>owner/repo/ref</c> resolves to a fixed commit of a repository nobody fetches (the build pod is fake).</summary>
internal sealed class FixedRepoProvider : IRepoProvider
{
    public const string Commit = "9f0e1d2c3b4a59687766554433221100ffeeddcc";

    public string Id => "k8s";

    public string Name => "Git";

    public ProviderDisplayConfig DisplayConfig { get; } = new()
    {
        DisplayName = "Kubernetes test", Id = "k8s", Spec = new("[^/]+/[^/]+/.+"),
        Repo = new("repo", "owner/repo", false), Ref = new(true, "HEAD"),
    };

    public static string RepoUrl(string spec) => "https://git.example.invalid/" + string.Join('/', spec.Split('/')[..2]);

    public static string Slug(string spec) => string.Join('-', spec.Split('/')[..2]);

    public ResolveResult.Failed? CheckSpec(string spec) => null;

    public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken) =>
        Task.FromResult<ResolveResult>(new ResolveResult.Resolved(new ResolvedRepo(
            RepoUrl(spec), Commit, RepoUrl(spec) + "/tree/" + Commit, string.Join('/', spec.Split('/')[..2]) + "/" + Commit, Slug(spec), spec.Split('/')[2])));
}
