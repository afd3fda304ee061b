using System.Text;

namespace BinderOrleans.Tests.Fuzz;

/// <summary>
/// Deterministic generator of hostile and ordinary specs: grammar pieces of every provider's form (schemes in any case,
/// escaped and half-escaped separators, option-like users and hosts, scp forms, globs, control characters) and random
/// edits of them. The same seed always gives the same sequence.
/// </summary>
internal sealed class SpecGenerator(int seed)
{
    public const int MaxLength = 400;

    private static readonly string[] Schemes =
        ["http", "https", "git", "ssh", "file", "ext", "fd", "HTTP", "gIt", "Https", "SSH", "git+ssh", "ssh+git", "", "h", "javascript", "-", "x-y", "1http"];

    private static readonly string[] Separators =
        ["://", ":", ":/", ":///", "", "::", "%3A%2F%2F", "%3A//", "%3a%2f%2f", "%3A", "%3A/", "%253A%252F%252F", ":%2F%2F", ":\\\\"];

    private static readonly string[] Users = ["", "", "", "git@", "user:pw@", "-oProxyCommand=x@", "a@b@", "@", "u%40@", "git%40", "-@", "us er@"];

    private static readonly string[] Hosts =
    [
        "127.0.0.1", "localhost", "[::1]", "-oProxyCommand=touch x", "example.org", "", "git", "http", "HTTP", "host_name", "ex ample",
        "\u00e9vil", "a#b", "a?b", "::1", "0", "..", "-", "%2D", "LocalHost", "127.0.0.1#@example.org", "a\\b", "[::1", "x.", ".x",
        // The "inside" address (127.0.0.3, refused by the outbound guard) however it can be written, and a name for it.
        "127.0.0.3", "2130706435", "0x7f000003", "0177.0.0.3", "[::ffff:127.0.0.3]", "inside.test",
    ];

    private static readonly string[] Ports = ["", "", "", ":22", ":0", ":99999", ":", ":x", ":-1", ":65535"];

    private static readonly string[] Paths = ["/r.git", "", "/", "/a/b", "//x", "/../x", "/-x", "%2Fr", "/%00", "/%0A", "/r?x=1", "/r#f", "/ r"];

    private static readonly string[] Refs =
    [
        "HEAD", "HEAD", "main", "master", "-h", "--upload-pack=touch x", "%2D%2Dx", "v1.0", "feature/x", "*", "a?b", "[x", "", "%0A", "..",
        "ref with space", "-", "0123456789abcdef0123456789abcdef01234567", "HEAD^{}", ".", "%2E%2E", "a//b", "\u0000", "~1",
    ];

    private static readonly string[] Names = ["binder-examples", "requirements", "octo", "a", "-x", "..", ".", "a.b", "a_b", "x%2Fy", "%2E%2E", "0123abcd", "aa5a315d61ae9438b18d", "\u00e9", "a b", ""];

    // Well-formed pieces, so a good share of specs reach resolution (and git's command line) rather than the parser's refusal.
    private static readonly string[] GoodSchemes = ["http", "https", "git", "ssh", "HTTP", "gIt", "Https", "sSh"];
    private static readonly string[] GoodUsers = ["", "git@", "user:pw@"];
    private static readonly string[] GoodHosts =
        ["127.0.0.1", "localhost", "LocalHost", "[::1]", "example.org", "host_name", "127.0.0.3", "2130706435", "0x7f000003", "[::ffff:127.0.0.3]", "inside.test"];
    private static readonly string[] GoodPorts = ["", ":22", ":9418", ":65535"];
    private static readonly string[] GoodPaths = ["/r.git", "/a/b", "", "/-x"];

    private static readonly string[] Known =
    [
        "binder-examples/requirements/HEAD", "octo/a/main", "octo/aa5a315d61ae9438b18d", "binder-examples%2Frequirements/HEAD",
        "https%3A%2F%2F127.0.0.1%2Fr.git/HEAD", "gIt%3A%2F%2Flocalhost%2Fr/HEAD", "git%40127.0.0.1%3Ar.git/HEAD", "HTTP%3A%2F%2F%5B%3A%3A1%5D%3A9%2Fr/HEAD",
    ];

    private static readonly string[] Edits =
    [
        "%", "/", ":", "@", "-", "\\", " ", "\0", "\n", "\r", "\t", "\u00e9", "\uD800", "#", "?", ".", "A", "a", "0", "%2F", "%3A", "%40", "%2D",
        "%25", "%00", "%ZZ", "//", "::", "[", "]", "*", "~", "^", "\u202E", "\uFEFF",
    ];

    private readonly Random _random = new(seed);

    /// <summary>The next spec, in one of the shapes (git URL, scp, owner/repo/ref, escaped path, random) or an edit of one.</summary>
    public string Next()
    {
        var spec = _random.Next(10) switch
        {
            < 4 => GitSpec(),
            4 => ScpSpec(),
            5 => $"{Pick(Names)}/{Pick(Names)}/{Pick(Refs)}",
            6 => $"{Pick(Names)}/{Pick(Names)}",
            7 => $"{Uri.EscapeDataString($"{Pick(Names)}/{Pick(Names)}")}/{Pick(Refs)}",
            8 => Random(),
            _ => Pick(Known),
        };
        for (var edits = _random.Next(4) == 0 ? _random.Next(1, 4) : 0; edits > 0; edits--) spec = Edit(spec);
        return spec.Length <= MaxLength ? spec : spec[..MaxLength];
    }

    /// <summary>A provider prefix: mostly the four real ones, sometimes an unknown or mis-cased one.</summary>
    public string NextProvider() => _random.Next(12) switch
    {
        < 3 => "git",
        < 5 => "gh",
        < 7 => "gl",
        < 9 => "gist",
        9 => "GH",
        10 => "nope",
        _ => "g%69t",
    };

    private string GitSpec()
    {
        var url = _random.Next(2) == 0
            ? Pick(Schemes) + Pick(Separators) + Pick(Users) + Pick(Hosts) + Pick(Ports) + Pick(Paths)
            : Pick(GoodSchemes) + "://" + Pick(GoodUsers) + Pick(GoodHosts) + Pick(GoodPorts) + Pick(GoodPaths);
        url = _random.Next(5) switch
        {
            < 3 => Uri.EscapeDataString(url),
            3 => url.Replace(":", "%3A", StringComparison.Ordinal),
            _ => url,
        };
        return url + "/" + Pick(Refs);
    }

    private string ScpSpec()
    {
        var url = Pick(Users) + Pick(Hosts) + ":" + Pick(Paths).TrimStart('/') + Pick(["", "repo.git", "org/repo"]);
        return (_random.Next(2) == 0 ? Uri.EscapeDataString(url) : url) + "/" + Pick(Refs);
    }

    private string Random()
    {
        var sb = new StringBuilder();
        for (var n = _random.Next(0, 12); n > 0; n--) sb.Append(Pick(Edits));
        return sb.ToString();
    }

    private string Edit(string spec)
    {
        var at = _random.Next(spec.Length + 1);
        return _random.Next(3) switch
        {
            0 => spec.Insert(at, Pick(Edits)),
            1 when at < spec.Length => spec.Remove(at, 1),
            _ when at < spec.Length => spec.Remove(at, 1).Insert(at, Pick(Edits)),
            _ => spec + Pick(Edits),
        };
    }

    private string Pick(string[] values) => values[_random.Next(values.Length)];
}
