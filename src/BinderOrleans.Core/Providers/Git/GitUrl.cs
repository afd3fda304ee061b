using System.Globalization;
using System.Text.RegularExpressions;

namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// The one rule for a URL the service hands to git (ls-remote when resolving, clone when building). git reads anything
/// that is not <c>scheme://…</c> as a local path or as scp-style <c>host:path</c>, and runs ssh for the latter, so text
/// such as <c>http:</c> would make it ssh to a host named <c>http</c>. Only an absolute URL whose host the text names
/// explicitly is accepted, and git gets it back in canonical form (scheme and host in lower case), never the raw text.
/// </summary>
internal static partial class GitUrl
{
    /// <summary>
    /// Checks <paramref name="url"/> (already unescaped) and returns its canonical form, or null with the reason in
    /// <paramref name="problem"/>. <c>user@host:path</c> becomes <c>ssh://user@host/path</c> (BinderHub's rewrite), and only
    /// with both a user and a host. <c>file</c> URLs (tests only, when allowed) need no host but an absolute path.
    /// </summary>
    public static string? Canonicalize(string url, IReadOnlyCollection<string> allowedSchemes, out string? problem)
    {
        if (ScpLike().Match(url) is { Success: true } scp)
        {
            url = $"ssh://{scp.Groups["user"].Value}@{scp.Groups["host"].Value}/{scp.Groups["path"].Value}";
        }

        var scheme = SchemeOf(url);
        if (!allowedSchemes.Contains(scheme, StringComparer.Ordinal))
        {
            problem = $"Unsupported git url {url}, protocol {(scheme.Length == 0 ? "(none)" : scheme)} not in {string.Join(", ", allowedSchemes)} (Providers:Git:AllowedSchemes)";
            return null;
        }

        if (url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            problem = $"Unsupported git url {url}: it must not contain spaces or control characters.";
            return null;
        }

        var rest = url[scheme.Length..];
        if (!rest.StartsWith("://", StringComparison.Ordinal))
        {
            problem = $"Unsupported git url {url}: it must be an absolute URL with a host, such as {scheme}://example.org/repo.git.";
            return null;
        }
        rest = rest[3..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "" : rest[slash..];

        if (scheme == "file")
        {
            // A local path: no host at all (git refuses remote file hosts anyway), and nothing that reaches the network.
            if (authority.Length > 0 || path.Length < 2)
            {
                problem = $"Unsupported git url {url}: a file URL must be file:///absolute/path.";
                return null;
            }
            problem = null;
            return "file://" + path;
        }

        if (CanonicalAuthority(authority) is not { } canonicalAuthority)
        {
            problem = $"Unsupported git url {url}: the host must be a DNS name or IP address (optionally user@ and :port), not starting with \"-\".";
            return null;
        }
        problem = null;
        return $"{scheme}://{canonicalAuthority}{path}";
    }

    /// <summary>The URL's scheme, lower-cased (Python's <c>urlparse(url).scheme</c>), or empty when it has none.</summary>
    public static string SchemeOf(string url) => Scheme().Match(url) is { Success: true } m ? m.Groups[1].Value.ToLowerInvariant() : "";

    /// <summary>The host of a canonical URL (for tests and logs); empty for file URLs.</summary>
    public static string HostOf(string canonicalUrl)
    {
        var start = canonicalUrl.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return "";
        var authority = canonicalUrl[(start + 3)..];
        var end = authority.IndexOf('/', StringComparison.Ordinal);
        if (end >= 0) authority = authority[..end];
        var at = authority.LastIndexOf('@');
        if (at >= 0) authority = authority[(at + 1)..];
        if (authority.StartsWith('[')) return authority[..(authority.IndexOf(']', StringComparison.Ordinal) + 1)];
        var colon = authority.LastIndexOf(':');
        return colon >= 0 ? authority[..colon] : authority;
    }

    /// <summary><c>[user[:password]@]host[:port]</c> with the host lower-cased, or null when any part is malformed.</summary>
    private static string? CanonicalAuthority(string authority)
    {
        var match = Authority().Match(authority);
        if (!match.Success) return null;
        var port = match.Groups["port"];
        if (port.Success && (!int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535))
        {
            return null;
        }
        var host = match.Groups["host"].Value;
        if (host.StartsWith('[') && !System.Net.IPAddress.TryParse(host[1..^1], out _)) return null;
        var user = match.Groups["user"];
        return (user.Success ? user.Value + "@" : "") + match.Groups["host"].Value.ToLowerInvariant() + (port.Success ? ":" + port.Value : "");
    }

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*):")]
    private static partial Regex Scheme();

    // BinderHub's GIT_SSH_PATTERN (user@host:path), ASCII only, and neither user nor host may read as an ssh option.
    [GeneratedRegex(@"^(?<user>[A-Za-z0-9_][A-Za-z0-9_.-]*)@(?<host>[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?):(?<path>[^/].*|/.+)$")]
    private static partial Regex ScpLike();

    // RFC 3986 userinfo (no '@', '/', '?', '#', '[' or ']', so no second reading of where the host starts), a DNS name,
    // IPv4 or bracketed IPv6 host, and a numeric port. Neither user nor host may start with '-'.
    [GeneratedRegex(@"^(?:(?<user>[A-Za-z0-9_.~!$&'()*+,;=%][A-Za-z0-9_.~!$&'()*+,;=%:-]*)@)?(?<host>[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\])(?::(?<port>[0-9]{1,5}))?$")]
    private static partial Regex Authority();
}
