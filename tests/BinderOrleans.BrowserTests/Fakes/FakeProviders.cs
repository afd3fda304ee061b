using System.Security.Cryptography;
using System.Text;
using BinderOrleans.Core.Providers;

namespace BinderOrleans.BrowserTests.Fakes;

/// <summary>
/// Providers with BinderHub's display configs (gh, git, zenodo) that resolve without a network: the ref is the
/// spec's last segment, the commit a hash of the spec. Specs containing "fail" build with an error.
/// </summary>
internal sealed class FakeRepoProvider(string id, string name, ProviderDisplayConfig display, bool refInSpec = true) : IRepoProvider
{
    public string Id => id;

    public string Name => name;

    public ProviderDisplayConfig DisplayConfig => display;

    public ResolveResult.Failed? CheckSpec(string spec) => null;

    public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        var slash = spec.LastIndexOf('/');
        var repo = refInSpec && slash > 0 ? spec[..slash] : spec;
        var unresolved = refInSpec && slash > 0 ? spec[(slash + 1)..] : "";
        var sha = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(spec)));
        var resolved = new ResolvedRepo(
            RepoUrl: $"https://repos.example.invalid/{Uri.UnescapeDataString(repo)}",
            ResolvedRef: sha,
            RefUrl: $"https://repos.example.invalid/{Uri.UnescapeDataString(repo)}/tree/{sha}",
            ResolvedSpec: refInSpec ? $"{repo}/{sha}" : spec,
            BuildSlug: Uri.UnescapeDataString(repo),
            UnresolvedRef: unresolved);
        return Task.FromResult<ResolveResult>(new ResolveResult.Resolved(resolved));
    }

    public static IEnumerable<IRepoProvider> BinderHubLike() =>
    [
        new FakeRepoProvider("gh", "GitHub", new ProviderDisplayConfig
        {
            DisplayName = "GitHub",
            Id = "gh",
            Spec = new(@"^[^/]+/[^/]+/.+"),
            Detect = new(@"^(https?://github.com/)?(?<repo>.*)"),
            Repo = new("GitHub repository name or URL", "example: binder-examples/requirements or https://github.com/binder-examples/requirements", false),
            Ref = new(true, "HEAD"),
        }),
        new FakeRepoProvider("git", "Git", new ProviderDisplayConfig
        {
            DisplayName = "Git repository",
            Id = "git",
            Spec = new(@"^[^/]+/.+"),
            Repo = new("Arbitrary git repository URL (http://git.example.com/repo)", "example: https://git.example.com/repo", true),
            Ref = new(true, "HEAD"),
        }),
        new FakeRepoProvider("zenodo", "Zenodo", new ProviderDisplayConfig
        {
            DisplayName = "Zenodo DOI",
            Id = "zenodo",
            Spec = new(@"10\.\d+/(.)+"),
            Repo = new("Zenodo DOI (10.5281/zenodo.3242074)", "example: 10.5281/zenodo.3242074", false),
            Ref = new(false),
        }, refInSpec: false),
    ];
}
