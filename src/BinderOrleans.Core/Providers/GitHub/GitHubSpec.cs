using System.Text.RegularExpressions;

namespace BinderOrleans.Core.Providers.GitHub;

/// <summary>A parsed <c>gh</c> spec: <c>&lt;owner&gt;/&lt;repo&gt;/&lt;ref&gt;</c> (the ref may hold <c>/</c>).</summary>
internal sealed partial record GitHubSpec(string Owner, string Repo, string Ref)
{
    public static bool TryParse(string spec, out GitHubSpec parsed, out ResolveResult.Failed? error)
    {
        parsed = null!;
        var parts = spec.Split('/', 3);
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            var message = $"Spec is not of the form \"user/repo/ref\", provided: \"{spec}\".";
            if (parts.Length == 2 && parts[1] is not ("main" or "master" or "HEAD") && parts[1].Length > 0) message += $" Did you mean \"{spec}/HEAD\"?";
            error = new ResolveResult.Failed(message, 400);
            return false;
        }

        var owner = Uri.UnescapeDataString(parts[0]);
        var repo = Uri.UnescapeDataString(parts[1]);
        if (repo.EndsWith(".git", StringComparison.Ordinal)) repo = repo[..^".git".Length];
        var gitRef = Uri.UnescapeDataString(parts[2]);

        // These go into an API path: only GitHub's own name characters, and no "." or ".." that would climb it.
        if (!Name().IsMatch(owner) || !Name().IsMatch(repo) || owner is "." or ".." || repo is "." or "..")
        {
            error = new ResolveResult.Failed($"\"{owner}/{repo}\" is not a GitHub repository name (letters, digits, '-', '_' and '.').", 400);
            return false;
        }
        if (gitRef.Any(char.IsControl) || gitRef.Split('/').Any(s => s is "" or "." or ".."))
        {
            error = new ResolveResult.Failed($"Invalid ref \"{gitRef}\".", 400);
            return false;
        }

        parsed = new GitHubSpec(owner, repo, gitRef);
        error = null;
        return true;
    }

    /// <summary>The ref as a URL path: each segment escaped, slashes kept (the commits API takes branch names with slashes).</summary>
    public string EscapedRef => string.Join('/', Ref.Split('/').Select(Uri.EscapeDataString));

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex Name();
}
