using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// BinderHub's <c>GitRepoProvider</c> (<c>/build/git/&lt;url-escaped URL&gt;/&lt;ref&gt;</c>): any git URL whose scheme is
/// allowed; refs resolved from the remote's ref advertisement (in process for http, https and git://, with
/// <c>git ls-remote</c> for the rest), full object ids taken as they are (not checked against the remote).
/// </summary>
internal sealed partial class GitRepoProvider(IOptions<GitProviderOptions> options, IGitRunner git, GitPin pin, ILogger<GitRepoProvider> logger,
    IGitRefLister refs)
    : IRepoProvider, IPrivateRepoProvider
{
    private readonly GitProviderOptions _options = options.Value;

    public string Id => "git";

    public string Name => "Git";

    public ProviderDisplayConfig DisplayConfig { get; } = new()
    {
        DisplayName = "Git repository",
        Id = "git",
        Spec = new("[^/]+/.+"),
        Repo = new("Arbitrary git repository URL", "https://git.example.com/repo", UrlEncode: true),
        Ref = new(Enabled: true, Default: "HEAD"),
    };

    public ResolveResult.Failed? CheckSpec(string spec) =>
        GitSpec.TryParse(spec, _options.EffectiveAllowedSchemes, out _, out var error) ? null : error;

    public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken) => ResolveAsync(spec, null, check: false, cancellationToken);

    /// <summary>An http(s) repository's canonical URL; other schemes never get a user's credentials.</summary>
    public string? CredentialUrlOf(string spec) =>
        GitSpec.TryParse(spec, _options.EffectiveAllowedSchemes, out var parsed, out _) && GitUrl.SchemeOf(parsed.Url) is "http" or "https" ? parsed.Url : null;

    public Task<ResolveResult> ResolveCheckedAsync(string spec, RepoCredential? credential, CancellationToken cancellationToken) =>
        ResolveAsync(spec, credential, check: true, cancellationToken);

    /// <param name="spec">The spec.</param>
    /// <param name="credential">A user's own credential for the repository's host, or null.</param>
    /// <param name="check">Ask the host even for a commit id, and report a refusal (HTTP 401, 403, 404) as not found.</param>
    /// <param name="cancellationToken">Stops the lookup.</param>
    private async Task<ResolveResult> ResolveAsync(string spec, RepoCredential? credential, bool check, CancellationToken cancellationToken)
    {
        var schemes = _options.EffectiveAllowedSchemes;
        if (!GitSpec.TryParse(spec, schemes, out var parsed, out var error)) return error!;

        string sha;
        if (LsRemoteOutput.IsObjectId(parsed.Ref) && !check)
        {
            sha = parsed.Ref;
        }
        else
        {
            // The host is checked and pinned before any process starts (Security:AllowedTargetNetworks).
            var (pinned, refusal) = await pin.PinAsync(parsed.Url, cancellationToken).ConfigureAwait(false);
            if (pinned is null) return ResolveResult.Error("git", spec, refusal!.Message, refusal.StatusCode);
            // The second pattern lists the commit an annotated tag points to (git does not peel on its own).
            string[] patterns = [parsed.Ref, parsed.Ref + "^{}"];
            // In process where the lister takes the URL (git:// gets the checked literal address; http(s) connections are
            // checked again as they are made), else a git process held to the checked addresses.
            var result = credential is null
                ? await refs.LsRemoteAsync(pinned.Url, patterns, _options.LsRemoteTimeout, cancellationToken).ConfigureAwait(false)
                : await refs.LsRemoteAsync(pinned.Url, patterns, credential, _options.LsRemoteTimeout, cancellationToken).ConfigureAwait(false);
            if (result is null)
            {
                // A user's credential reaches git through the helper's environment, for the repository's own origin only.
                var invocation = GitInvocation.Create([.. pinned.Config, "ls-remote", "--", pinned.Url, .. patterns], Path.GetTempPath(), schemes,
                    credential?.HelperText, credential is null ? null : parsed.Url);
                result = await git.RunAsync(invocation, _options.LsRemoteTimeout, cancellationToken).ConfigureAwait(false);
            }
            if (result.TimedOut)
            {
                LogLsRemoteTimedOut(RedactedUrl(parsed.Url), _options.LsRemoteTimeout);
                return ResolveResult.Error("git", spec, $"git ls-remote did not answer within {_options.LsRemoteTimeout.TotalSeconds:0} seconds.", 504);
            }
            if (result.ExitCode != 0 && check && result.HttpStatus is 401 or 403 or 404)
            {
                // Refused and missing are one answer: whoever asks learns nothing of a repository they cannot read.
                LogLsRemoteFailed(RedactedUrl(parsed.Url), result.ExitCode, $"HTTP {result.HttpStatus}");
                return ResolveResult.NotFound("git", spec);
            }
            if (result.ExitCode != 0)
            {
                var reason = Trim(result.Error);
                LogLsRemoteFailed(RedactedUrl(parsed.Url), result.ExitCode, reason);
                return ResolveResult.Error("git", spec, $"{reason}", 502);
            }
            if (LsRemoteOutput.IsObjectId(parsed.Ref))
            {
                // Checked: the host let this caller list the repository; a commit id is taken as it is, as unchecked.
                sha = parsed.Ref;
            }
            else if (LsRemoteOutput.SelectCommit(result.Output, parsed.Ref) is not { } found)
            {
                return ResolveResult.NotFound("git", spec);
            }
            else if (!LsRemoteOutput.IsObjectId(found))
            {
                return ResolveResult.Error("git", spec, $"git ls-remote answered {Trim(found)}, not a commit id.", 502);
            }
            else
            {
                sha = found;
            }
        }

        return new ResolveResult.Resolved(new ResolvedRepo(
            RepoUrl: parsed.Url,
            ResolvedRef: sha,
            RefUrl: parsed.Url,
            ResolvedSpec: $"{parsed.EscapedUrl}/{sha}",
            BuildSlug: parsed.Url,
            UnresolvedRef: parsed.Ref,
            GitCredentials: _options.GitCredentials.Length > 0 ? _options.GitCredentials : null));
    }

    /// <summary>git's message without "fatal: " noise and blank lines, short enough for one event.</summary>
    internal static string Trim(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.StartsWith("fatal: ", StringComparison.Ordinal) ? l["fatal: ".Length..] : l);
        var text = string.Join(" ", lines);
        if (text.Length == 0) return "git ls-remote failed without a message.";
        return text.Length <= 500 ? text : text[..500] + "…";
    }

    /// <summary>The URL without its user-info part, which may hold a token; for logs only.</summary>
    internal static string RedactedUrl(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return url;
        var slash = url.IndexOf('/', start + 3);
        var at = url.LastIndexOf('@', slash < 0 ? url.Length - 1 : slash);
        return at > start ? url[..(start + 3)] + "***@" + url[(at + 1)..] : url;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "git ls-remote {Url} failed with exit code {ExitCode}: {Reason}")]
    private partial void LogLsRemoteFailed(string url, int exitCode, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "git ls-remote {Url} timed out after {Timeout}")]
    private partial void LogLsRemoteTimedOut(string url, TimeSpan timeout);
}
