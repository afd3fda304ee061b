using System.Text.RegularExpressions;
using BinderOrleans.Core.Options;

namespace BinderOrleans.Core.Providers;

/// <summary>A provider's banned/allowed/quota rules, compiled once (BinderHub's <c>is_banned</c> and <c>repo_config</c>).</summary>
internal sealed class SpecRules
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly Regex[] _banned;
    private readonly Regex[] _allowed;
    private readonly Regex[] _highQuota;
    private readonly (Regex Pattern, int? Quota)[] _specConfig;

    private SpecRules(Regex[] banned, Regex[] allowed, Regex[] highQuota, (Regex, int?)[] specConfig)
    {
        _banned = banned;
        _allowed = allowed;
        _highQuota = highQuota;
        _specConfig = specConfig;
    }

    public static SpecRules None { get; } = new([], [], [], []);

    /// <summary>Compiles the rules; call after validation (<see cref="RepoProviderOptionsValidator{T}"/>) so patterns are known good.</summary>
    public static SpecRules Create(RepoProviderOptions options) => new(
        options.BannedSpecs.Select(Compile).ToArray(),
        options.AllowedSpecs.Select(Compile).ToArray(),
        options.HighQuotaSpecs.Select(Compile).ToArray(),
        options.SpecConfig.Select(r => (Compile(r.Pattern), r.Config.Quota)).ToArray());

    /// <summary>Null when the pattern is a valid .NET regular expression, else the parser's complaint.</summary>
    public static string? Check(string? pattern)
    {
        if (pattern is null) return "is missing";
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
            return null;
        }
        catch (ArgumentException ex)
        {
            return "is not a valid regular expression: " + ex.Message;
        }
    }

    /// <summary>Banned when a banned pattern matches, or allowed patterns exist and none matches.</summary>
    public bool IsBanned(string spec)
    {
        if (_banned.Any(r => Matches(r, spec, onTimeout: true))) return true;
        return _allowed.Length > 0 && !_allowed.Any(r => Matches(r, spec, onTimeout: false));
    }

    /// <summary>The repository quota: higher or normal site quota, then every matching spec-config quota in order.</summary>
    public int QuotaFor(string spec, SiteOptions site)
    {
        var quota = _highQuota.Any(r => Matches(r, spec, onTimeout: false)) ? site.PerRepoQuotaHigher : site.PerRepoQuota;
        foreach (var (pattern, value) in _specConfig)
        {
            if (value is { } q && Matches(pattern, spec, onTimeout: false)) quota = q;
        }
        return quota;
    }

    // \G pins the match to the start of the input, like Python's re.match (not a whole-string match).
    private static Regex Compile(string pattern) =>
        new(@"\G(?:" + pattern + ")", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);

    private static bool Matches(Regex regex, string spec, bool onTimeout)
    {
        try
        {
            return regex.IsMatch(spec);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological pattern: fail closed for bans, open for privileges.
            return onTimeout;
        }
    }
}
