using System.Text.RegularExpressions;

namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// Picks the commit from <c>git ls-remote -- &lt;url&gt; &lt;ref&gt;</c> output. git matches the pattern against the
/// tail of every ref name, so <c>main</c> can list <c>refs/heads/feature/main</c> before <c>refs/heads/main</c>, and an
/// annotated tag lists the tag object and, as <c>^{}</c>, its commit. BinderHub takes the first line; we prefer, in order:
/// the exact name (peeled if it is a tag), <c>refs/heads/&lt;ref&gt;</c>, <c>refs/tags/&lt;ref&gt;^{}</c>,
/// <c>refs/tags/&lt;ref&gt;</c>, and only then the first line. So a branch beats a tag of the same name (as in git's
/// own lookup), and a tag resolves to the commit it names, not the tag object.
/// </summary>
internal static partial class LsRemoteOutput
{
    /// <summary>The object id, or null when the output lists nothing usable.</summary>
    public static string? SelectCommit(string output, string requestedRef)
    {
        var lines = new List<(string Sha, string Name)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var tab = line.IndexOfAny(['\t', ' ']);
            if (tab <= 0) continue;
            lines.Add((line[..tab], line[(tab + 1)..].Trim()));
        }
        if (lines.Count == 0) return null;

        string[] preferred =
        [
            requestedRef + "^{}",
            requestedRef,
            "refs/heads/" + requestedRef,
            "refs/tags/" + requestedRef + "^{}",
            "refs/tags/" + requestedRef,
        ];
        foreach (var name in preferred)
        {
            foreach (var (sha, refName) in lines)
            {
                if (string.Equals(refName, name, StringComparison.Ordinal)) return sha;
            }
        }
        return lines[0].Sha;
    }

    /// <summary>A full object id: 40 (SHA-1) or 64 (SHA-256) lower-case hex digits.</summary>
    public static bool IsObjectId(string value) => ObjectId().IsMatch(value);

    [GeneratedRegex("^(?:[0-9a-f]{40}|[0-9a-f]{64})$")]
    private static partial Regex ObjectId();
}
