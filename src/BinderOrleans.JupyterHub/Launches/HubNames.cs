using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace BinderOrleans.JupyterHub.Launches;

/// <summary>BinderHub's names for temporary users and servers, and the Jupyter server token.</summary>
internal static partial class HubNames
{
    private const string SuffixChars = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const int SuffixLength = 8;

    /// <summary>
    /// BinderHub's <c>unique_name_from_repo</c>: the repository URL's path (the part after <c>:</c> for scp-style SSH URLs),
    /// slashes trimmed, <c>/</c> → <c>-</c>, lower-cased, <c>.git</c> dropped, cut to first 15 + <c>-</c> + last 15 when
    /// longer than 32, then <c>-</c> and 8 random <c>[a-z0-9]</c>.
    /// </summary>
    public static string UniqueNameFromRepo(string repoUrl) => UniqueNameFromRepo(repoUrl, null, 0);

    /// <summary>
    /// <see cref="UniqueNameFromRepo(string)"/> whose suffix, for a launch session, is derived from the session id and the
    /// attempt, so a session restarted after its silo was lost can find the user (or named server) it already made.
    /// </summary>
    public static string UniqueNameFromRepo(string repoUrl, string? sessionId, int attempt)
    {
        var prefix = RepoPath(repoUrl).Trim('/').Replace('/', '-').ToLowerInvariant();
        if (prefix.EndsWith(".git", StringComparison.Ordinal)) prefix = prefix[..^4];
        if (prefix.Length > 32) prefix = $"{prefix[..15]}-{prefix[^15..]}";
        return $"{prefix}-{(sessionId is null ? RandomNumberGenerator.GetString(SuffixChars, SuffixLength) : SessionSuffix(sessionId, attempt))}";
    }

    private static string SessionSuffix(string sessionId, int attempt)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{sessionId}:{attempt}"));
        return string.Create(SuffixLength, hash, (chars, h) =>
        {
            for (var i = 0; i < chars.Length; i++) chars[i] = SuffixChars[h[i] % SuffixChars.Length];
        });
    }

    /// <summary>The Jupyter server token BinderHub hands out: a random UUID's 16 bytes, URL-safe base64 without padding (22 chars).</summary>
    public static string NewServerToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>What Python's <c>urlparse(url).path</c> gives, or the part after <c>:</c> for <c>user@host:path</c>.</summary>
    internal static string RepoPath(string repoUrl)
    {
        if (!repoUrl.Contains("://", StringComparison.Ordinal) && ScpStyle().IsMatch(repoUrl)) return repoUrl[(repoUrl.IndexOf(':') + 1)..];
        var rest = repoUrl;
        var end = rest.IndexOfAny(['?', '#']);
        if (end >= 0) rest = rest[..end];
        var scheme = Scheme().Match(rest);
        if (scheme.Success) rest = rest[scheme.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? "" : rest[slash..];
        }
        return rest;
    }

    [GeneratedRegex(@"^[^@/:]+@[^:/]+:")]
    private static partial Regex ScpStyle();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:")]
    private static partial Regex Scheme();
}
