using System.Text.RegularExpressions;

namespace BinderOrleans.Core.Providers.Image;

/// <summary>
/// A pre-built image reference in Docker's grammar: optional <c>host[:port]/</c>, lower-case path components
/// (<c>[a-z0-9]+</c> joined by <c>.</c>, <c>_</c>, <c>__</c> or dashes) separated by <c>/</c>, then a <c>:tag</c> and/or an
/// <c>@sha256:</c> digest. One of tag or digest is required, so what runs is named, never "all tags".
/// </summary>
/// <param name="Repository">Everything before the tag or digest, host included (what the engine pulls).</param>
/// <param name="Tag">The tag, if given.</param>
/// <param name="Digest">The <c>sha256:…</c> digest, if given; wins over the tag.</param>
internal sealed partial record ImageReference(string Repository, string? Tag, string? Digest)
{
    /// <summary>The tag or digest to pull and to report as the resolved ref.</summary>
    public string Ref => Digest ?? Tag!;

    /// <summary>The reference as given back to the engine: <c>repo@digest</c> or <c>repo:tag</c>.</summary>
    public string Canonical => Digest is not null ? $"{Repository}@{Digest}" : $"{Repository}:{Tag}";

    /// <summary>Null when <paramref name="text"/> is not a reference with a tag or digest.</summary>
    public static ImageReference? Parse(string text)
    {
        if (text.Length > 512) return null;
        var match = Grammar().Match(text);
        if (!match.Success) return null;
        var repository = match.Groups["repo"].Value;
        // The path part (after an optional host) is at most 255 characters in the distribution spec.
        if (repository.Length > 255 + 256) return null;
        var tag = match.Groups["tag"].Success ? match.Groups["tag"].Value : null;
        var digest = match.Groups["digest"].Success ? match.Groups["digest"].Value : null;
        return tag is null && digest is null ? null : new ImageReference(repository, tag, digest);
    }

    // A first component counts as a host only when it has a dot or a port, or is localhost (Docker's rule); the host
    // itself is then never lower-cased or checked against the path grammar.
    [GeneratedRegex(
        """
        ^(?<repo>(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+(?::[0-9]{1,5})?|localhost(?::[0-9]{1,5})?|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?:[0-9]{1,5})/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?\z
        """,
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Grammar();
}
