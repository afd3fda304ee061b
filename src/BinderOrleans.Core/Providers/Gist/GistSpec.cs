using System.Text.RegularExpressions;

namespace BinderOrleans.Core.Providers.Gist;

/// <summary>A parsed <c>gist</c> spec: <c>&lt;user&gt;/&lt;gist-id&gt;[/&lt;ref&gt;]</c>; the ref is empty when not given.</summary>
internal sealed partial record GistSpec(string User, string GistId, string Ref)
{
    /// <summary>The refs that mean "the newest version" (BinderHub's set).</summary>
    public bool WantsNewest => Ref is "" or "HEAD" or "master" or "main";

    public static bool TryParse(string spec, out GistSpec parsed, out ResolveResult.Failed? error)
    {
        parsed = null!;
        var parts = spec.Split('/');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            error = new ResolveResult.Failed($"Spec is not of the form \"user/gist-id[/ref]\", provided: \"{spec}\".", 400);
            return false;
        }

        var user = Uri.UnescapeDataString(parts[0]);
        var id = Uri.UnescapeDataString(parts[1]);
        var gitRef = parts.Length == 3 ? Uri.UnescapeDataString(parts[2]) : "";
        // The id goes into an API path and the user into the clone URL: GitHub's name characters only.
        if (!UserName().IsMatch(user) || user is "." or "..")
        {
            error = new ResolveResult.Failed($"\"{user}\" is not a GitHub user name.", 400);
            return false;
        }
        if (!GistIdentifier().IsMatch(id))
        {
            error = new ResolveResult.Failed($"\"{id}\" is not a gist id.", 400);
            return false;
        }
        if (gitRef.Any(char.IsControl))
        {
            error = new ResolveResult.Failed($"Invalid ref \"{gitRef}\".", 400);
            return false;
        }

        parsed = new GistSpec(user, id, gitRef);
        error = null;
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex UserName();

    [GeneratedRegex("^[A-Za-z0-9]+$")]
    private static partial Regex GistIdentifier();
}
