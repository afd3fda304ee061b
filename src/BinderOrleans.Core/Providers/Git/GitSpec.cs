using System.Text.RegularExpressions;

namespace BinderOrleans.Core.Providers.Git;

/// <summary>A parsed <c>git</c> spec: <c>&lt;url-escaped clone URL&gt;/&lt;ref&gt;</c>.</summary>
/// <param name="Url">
/// The clone URL in canonical form (<see cref="GitUrl.Canonicalize"/>): unescaped, scheme and host lower-cased, scp-style
/// <c>user@host:path</c> rewritten to <c>ssh://</c>. This, never the user's text, is what git gets.
/// </param>
/// <param name="EscapedUrl">The URL as it appears in specs (kept as sent, so resolved specs match the user's).</param>
/// <param name="Ref">The ref as the user gave it, unescaped.</param>
internal sealed partial record GitSpec(string Url, string EscapedUrl, string Ref)
{
    /// <summary>
    /// Splits like BinderHub (at the first <c>/</c>: the URL is escaped, the ref may hold <c>/</c>). A spec whose first part
    /// is only a scheme (<c>https:</c>) came with an unescaped URL; it is split at the last <c>/</c> instead.
    /// Then refuses option-like or control-character refs and any URL <see cref="GitUrl.Canonicalize"/> refuses (a scheme
    /// outside <paramref name="allowedSchemes"/>, which must be lower case, or no explicit host). Pure: no I/O.
    /// </summary>
    public static bool TryParse(string spec, IReadOnlyCollection<string> allowedSchemes, out GitSpec parsed, out ResolveResult.Failed? error)
    {
        parsed = null!;
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == spec.Length - 1)
        {
            error = new ResolveResult.Failed(
                $"Spec is not of the form \"<url-escaped git URL>/<ref>\", provided: \"{spec}\". Did you mean \"{spec.TrimEnd('/')}/HEAD\"?", 400);
            return false;
        }

        var head = spec[..slash];
        var rawRef = spec[(slash + 1)..];
        if (SchemeOnly().IsMatch(head))
        {
            var last = spec.LastIndexOf('/');
            head = spec[..last];
            rawRef = spec[(last + 1)..];
        }

        var url = Uri.UnescapeDataString(head);
        var escaped = head.Contains('/', StringComparison.Ordinal) ? Uri.EscapeDataString(url) : head;
        var gitRef = Uri.UnescapeDataString(rawRef);

        if (HasControlCharacters(url) || HasControlCharacters(gitRef))
        {
            error = new ResolveResult.Failed("Invalid git spec: the URL and ref must not contain control characters.", 400);
            return false;
        }
        if (gitRef.Length == 0)
        {
            error = new ResolveResult.Failed($"A ref must be given after the git URL, e.g. \"{escaped}/HEAD\".", 400);
            return false;
        }
        if (gitRef.StartsWith('-'))
        {
            error = new ResolveResult.Failed($"Invalid ref \"{gitRef}\": a git ref cannot start with \"-\".", 400);
            return false;
        }

        if (gitRef.IndexOfAny(['*', '?', '[']) >= 0)
        {
            // ls-remote treats these as a glob, which would match refs the user did not name; git refs cannot contain them.
            error = new ResolveResult.Failed($"Invalid ref \"{gitRef}\": a git ref cannot contain '*', '?' or '['.", 400);
            return false;
        }

        if (GitUrl.Canonicalize(url, allowedSchemes, out var problem) is not { } canonical)
        {
            error = new ResolveResult.Failed(problem!, 400);
            return false;
        }

        parsed = new GitSpec(canonical, escaped, gitRef);
        error = null;
        return true;
    }

    private static bool HasControlCharacters(string value) => value.Any(char.IsControl);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:$")]
    private static partial Regex SchemeOnly();
}
