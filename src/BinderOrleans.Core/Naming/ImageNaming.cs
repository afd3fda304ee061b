using System.Security.Cryptography;
using System.Text;

namespace BinderOrleans.Core.Naming;

/// <summary>
/// BinderHub's image and build names, byte for byte, so images built by either are found by the other.
/// Changing anything here invalidates every cached image.
/// </summary>
public static class ImageNaming
{
    /// <summary>Longest image name part before the tag (Docker's limit).</summary>
    public const int ImageNameLimit = 255;

    /// <summary>Kubernetes pod names are DNS labels.</summary>
    public const int BuildNameLimit = 63;

    private const string BuildPrefix = "build-";
    private const int RefLength = 6;

    /// <summary><c>prefix + safe_slug + ":" + ref</c>, with <c>_</c> → <c>-</c> and lower-cased.</summary>
    public static string ImageName(string imagePrefix, string buildSlug, string resolvedRef)
    {
        var slug = SafeSlug(buildSlug, ImageNameLimit - imagePrefix.Length);
        return $"{imagePrefix}{slug}:{resolvedRef}".Replace('_', '-').ToLowerInvariant();
    }

    /// <summary><c>build-</c> + safe slug (≤ 50) + <c>-</c> + 3 escaped ref chars + <c>-</c> + 2 hash chars; ≤ 63 chars.</summary>
    public static string BuildName(string buildSlug, string resolvedRef)
    {
        var slug = SafeSlug(buildSlug, BuildNameLimit - BuildPrefix.Length - RefLength - 1);
        var refPart = SafeSlug(resolvedRef, RefLength, hashLength: 2);
        if (refPart.Length > RefLength) refPart = refPart[..RefLength];
        return $"{BuildPrefix}{slug}-{refPart}".ToLowerInvariant();
    }

    /// <summary>
    /// Escapes every character that is not an ASCII letter or digit (each UTF-8 byte as <c>-XX</c>),
    /// truncates to leave room for <c>-</c> + <paramref name="hashLength"/> hex chars of the slug's SHA-256, lower-cases.
    /// </summary>
    public static string SafeSlug(string slug, int limit, int hashLength = 6)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(slug)));
        var escaped = Escape(slug);
        return $"{PythonPrefix(escaped, limit - hashLength - 1)}-{hash[..hashLength]}".ToLowerInvariant();
    }

    /// <summary>The escapism package's <c>escape(s, safe=ascii letters+digits, escape_char="-")</c>.</summary>
    internal static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length * 2);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && char.IsAsciiLetterOrDigit((char)rune.Value))
            {
                sb.Append((char)rune.Value);
                continue;
            }
            var n = rune.EncodeToUtf8(bytes);
            // Python's '%X': upper-case hex without padding, so a tab is "-9", not "-09".
            for (var i = 0; i < n; i++) sb.Append('-').Append(bytes[i].ToString("X", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>s[:n]</c>: a negative <paramref name="n"/> counts from the end (a very long image prefix does this).</summary>
    private static string PythonPrefix(string s, int n)
    {
        if (n < 0) n = Math.Max(0, s.Length + n);
        return s[..Math.Min(n, s.Length)];
    }

    /// <summary>
    /// The build slug of a repository resolved with <paramref name="user"/>'s own credentials: the public slug, a newline
    /// (which no spec's slug can hold, and which escapes to <c>-A</c> where a <c>-</c> would escape to <c>-2D</c>), the
    /// user. Its image and build names include the user and never equal a public build's or another user's.
    /// </summary>
    public static string PrivateSlug(string buildSlug, string user) => $"{buildSlug}\n{user}";

    /// <summary>The image name without its <c>:tag</c> or <c>@digest</c> (quota matching).</summary>
    public static string WithoutTag(string imageName) => SplitTag(imageName).Name;

    /// <summary>
    /// Name and tag of a full image name: an <c>@digest</c> is dropped, a colon before the last <c>/</c> is a registry
    /// port (<c>host:5000/x</c>), and no tag means <c>latest</c>.
    /// </summary>
    public static (string Name, string Tag) SplitTag(string imageName)
    {
        var at = imageName.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0) imageName = imageName[..at];
        var colon = imageName.LastIndexOf(':');
        return colon > imageName.LastIndexOf('/') ? (imageName[..colon], imageName[(colon + 1)..]) : (imageName, "latest");
    }
}
