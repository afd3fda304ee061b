using BinderOrleans.Core.Providers;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>Provider <c>k8s</c>: <c>owner/repo/ref</c> resolves to a fixed commit of a repository nobody fetches (the build pod is fake).</summary>
internal static class FixedRepoProvider
{
    public const string Commit = "9f0e1d2c3b4a59687766554433221100ffeeddcc";

    public static string RepoUrl(string spec) => "https://git.example.invalid/" + string.Join('/', spec.Split('/')[..2]);

    public static string Slug(string spec) => string.Join('-', spec.Split('/')[..2]);

    public static FakeRepoProvider Create() => new("k8s", "Git")
    {
        DisplayConfig = FakeRepoProvider.Display("k8s", "Kubernetes test", "[^/]+/[^/]+/.+"),
        Resolve = spec => new ResolveResult.Resolved(new ResolvedRepo(
            RepoUrl(spec), Commit, RepoUrl(spec) + "/tree/" + Commit, string.Join('/', spec.Split('/')[..2]) + "/" + Commit, Slug(spec), spec.Split('/')[2])),
    };
}
