using System.Text.RegularExpressions;

namespace BinderOrleans.Core.Providers.GitLab;

/// <summary>
/// A parsed <c>gl</c> spec: <c>&lt;url-escaped namespace&gt;/&lt;ref&gt;</c>, e.g. <c>group%2Fsub%2Frepo/main</c>
/// (GitLab nests groups, so the project path is one escaped segment).
/// </summary>
internal sealed partial record GitLabSpec(string EscapedNamespace, string Namespace, string Ref)
{
    public static bool TryParse(string spec, out GitLabSpec parsed, out ResolveResult.Failed? error)
    {
        parsed = null!;
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == spec.Length - 1)
        {
            error = new ResolveResult.Failed($"Spec is not of the form \"<url-escaped namespace>/<ref>\", provided: \"{spec}\".", 400);
            return false;
        }

        var escaped = spec[..slash];
        var ns = Uri.UnescapeDataString(escaped);
        var gitRef = Uri.UnescapeDataString(spec[(slash + 1)..]);

        // The namespace becomes part of the clone and browse URLs: only GitLab's path characters, no "." or "..".
        var parts = ns.Split('/');
        if (parts.Length < 2 || parts.Any(p => !PathPart().IsMatch(p) || p is "." or ".."))
        {
            error = new ResolveResult.Failed($"\"{ns}\" is not a GitLab project path (group/project; letters, digits, '-', '_' and '.').", 400);
            return false;
        }
        if (gitRef.Any(char.IsControl))
        {
            error = new ResolveResult.Failed($"Invalid ref \"{gitRef}\".", 400);
            return false;
        }

        parsed = new GitLabSpec(escaped, ns, gitRef);
        error = null;
        return true;
    }

    /// <summary>BinderHub's slug: the path's parts joined by <c>-</c>, each <c>-</c> inside a part written <c>_-</c> so parts cannot blur.</summary>
    public string BuildSlug => string.Join('-', Namespace.Split('/').Select(p => p.Replace("-", "_-", StringComparison.Ordinal)));

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex PathPart();
}
