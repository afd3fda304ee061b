using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using BinderOrleans.Core.Providers.Git;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// Checks out one commit of a repository with the git command line, as repo2docker's Git content provider does:
/// full clone without checkout, the ref resolved to a commit, detached checkout, submodules.
/// The URL passes the same rule as the git provider's (<see cref="GitUrl"/>, schemes from <c>Providers:Git:AllowedSchemes</c>
/// plus https) before any process starts, and git gets its canonical form; user input only ever reaches git as a
/// positional argument after <c>--</c> (or verified as a commit id). git runs through <see cref="IGitRunner"/> with
/// <see cref="GitInvocation.Create"/>'s environment. Every host git fetches from (the repository's, each submodule's) is
/// checked by the outbound guard and pinned before git runs (<see cref="GitPin"/>); submodules only over http(s), one
/// level at a time, so each level's hosts are checked before they are fetched.
/// </summary>
internal sealed partial class GitFetcher(IGitRunner git, IOptions<GitProviderOptions> options, GitPin pin)
{
    private const int TailLines = 5;

    /// <summary>Submodules inside submodules are followed this deep.</summary>
    private const int MaxSubmoduleDepth = 4;

    private readonly IReadOnlyList<string> _schemes = options.Value.EffectiveCloneSchemes;

    /// <param name="url">Repository URL.</param>
    /// <param name="reference">Commit (or any ref git can resolve after the clone).</param>
    /// <param name="directory">Target folder; must not exist yet.</param>
    /// <param name="text">git credential-helper text (<c>username=…\npassword=…</c>), or null.</param>
    /// <param name="cancellationToken">Stops git (its whole process tree).</param>
    public async IAsyncEnumerable<GitOutput> FetchAsync(string url, string reference, string directory, string? text,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (GitUrl.Canonicalize(url, _schemes, out var problem) is not { } canonical)
        {
            yield return new GitOutput(problem!, Failed: true);
            yield break;
        }

        var (pinned, refusal) = await pin.PinAsync(canonical, cancellationToken).ConfigureAwait(false);
        if (pinned is null)
        {
            yield return new GitOutput(refusal!.Message, Failed: true, StatusCode: refusal.StatusCode);
            yield break;
        }

        // The credentials go to the repository's own origin only (its submodules there too), never to another host.
        var credentials = text is null ? null : new Credentials(text, canonical);
        var parent = Path.GetDirectoryName(directory)!;
        GitOutput? last = null;
        await foreach (var line in RunAsync(parent, credentials, _schemes, cancellationToken, [.. pinned.Config, "clone", "--no-checkout", "--", pinned.Url, directory]).ConfigureAwait(false))
        {
            last = line;
            yield return line;
        }
        if (last is { Failed: true }) yield break;

        // Resolve with --end-of-options so a ref can never be read as an option; check out the verified commit id.
        var commit = "";
        await foreach (var line in RunAsync(directory, credentials, _schemes, cancellationToken, ["rev-parse", "--verify", "--quiet", "--end-of-options", reference + "^{commit}"]).ConfigureAwait(false))
        {
            if (line.Failed)
            {
                yield return new GitOutput($"Could not find commit {reference} in {url}.", Failed: true);
                yield break;
            }
            if (CommitId().IsMatch(line.Text.Trim())) commit = line.Text.Trim();
        }
        if (commit.Length == 0)
        {
            yield return new GitOutput($"Could not find commit {reference} in {url}.", Failed: true);
            yield break;
        }

        yield return new GitOutput($"HEAD is now at {commit}");
        await foreach (var line in RunAsync(directory, credentials, _schemes, cancellationToken, ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit]).ConfigureAwait(false))
        {
            last = line;
            yield return line;
        }
        if (last is { Failed: true }) yield break;

        await foreach (var line in SubmodulesAsync(directory, canonical, credentials, 1, cancellationToken).ConfigureAwait(false))
        {
            yield return line;
        }
    }

    /// <summary>
    /// The submodules of the checkout in <paramref name="directory"/> (whose remote is <paramref name="parentUrl"/>): every
    /// URL in <c>.gitmodules</c> made absolute, put through the same URL rule and pinned, then one non-recursive
    /// <c>submodule update --init</c> held to those addresses and to http(s) (git:// and ssh cannot be pinned from outside
    /// the URL), then the same for each submodule.
    /// </summary>
    private async IAsyncEnumerable<GitOutput> SubmodulesAsync(string directory, string parentUrl, Credentials? credentials, int depth,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(directory, ".gitmodules"))) yield break;
        if (depth > MaxSubmoduleDepth)
        {
            yield return new GitOutput($"Submodules are nested more than {MaxSubmoduleDepth} deep.", Failed: true);
            yield break;
        }

        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var line in RunAsync(directory, credentials, _schemes, cancellationToken,
            ["config", "--file", ".gitmodules", "--get-regexp", @"^submodule\..*\.(url|path)$"]).ConfigureAwait(false))
        {
            if (line.Failed) yield break; // no submodule entries at all
            var space = line.Text.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0) continue;
            var key = line.Text[..space];
            var value = line.Text[(space + 1)..];
            if (key.EndsWith(".url", StringComparison.Ordinal)) urls[key[..^4]] = value;
            else if (key.EndsWith(".path", StringComparison.Ordinal)) paths[key[..^5]] = value;
        }

        var submoduleSchemes = _schemes.Where(s => s is "http" or "https" or "file").ToArray();
        var config = new List<string>();
        var children = new List<(string Path, string Url)>();
        foreach (var (name, raw) in urls)
        {
            var absolute = SubmoduleUrl(parentUrl, raw);
            if (absolute is null || GitUrl.Canonicalize(absolute, submoduleSchemes, out _) is not { } canonical)
            {
                yield return new GitOutput($"Submodule {name[("submodule.".Length)..]} has URL {raw}, which is not allowed here (only http(s) URLs with a host).", Failed: true);
                yield break;
            }
            var (pinned, refusal) = await pin.PinAsync(canonical, cancellationToken).ConfigureAwait(false);
            if (pinned is null)
            {
                yield return new GitOutput($"Submodule {name[("submodule.".Length)..]}: {refusal!.Message}", Failed: true, StatusCode: refusal.StatusCode);
                yield break;
            }
            foreach (var setting in pinned.Config.Where((_, i) => i % 2 == 1))
            {
                if (!config.Contains(setting, StringComparer.Ordinal)) config.Add(setting);
            }
            if (paths.TryGetValue(name, out var path)) children.Add((path, canonical));
        }

        GitOutput? last = null;
        var arguments = config.SelectMany(c => new[] { "-c", c }).Concat(["submodule", "update", "--init"]).ToArray();
        await foreach (var line in RunAsync(directory, credentials, submoduleSchemes, cancellationToken, arguments).ConfigureAwait(false))
        {
            last = line;
            yield return line;
        }
        if (last is { Failed: true }) yield break;

        foreach (var (path, url) in children)
        {
            var child = Path.GetFullPath(Path.Combine(directory, path));
            if (!child.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
            await foreach (var line in SubmodulesAsync(child, url, credentials, depth + 1, cancellationToken).ConfigureAwait(false))
            {
                last = line;
                yield return line;
            }
            if (last is { Failed: true }) yield break;
        }
    }

    /// <summary>git's reading of a submodule URL: <c>./</c> and <c>../</c> are relative to the superproject's remote.</summary>
    internal static string? SubmoduleUrl(string parentUrl, string url)
    {
        if (!url.StartsWith("./", StringComparison.Ordinal) && !url.StartsWith("../", StringComparison.Ordinal)) return url;
        var baseUrl = parentUrl.TrimEnd('/');
        foreach (var part in url.Split('/'))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                var slash = baseUrl.LastIndexOf('/');
                if (slash <= baseUrl.IndexOf("://", StringComparison.Ordinal) + 2) return null;
                baseUrl = baseUrl[..slash];
                continue;
            }
            baseUrl += "/" + part;
        }
        return baseUrl;
    }

    /// <summary>Runs git, yielding its output lines as they come; a non-zero exit ends with one failed line.</summary>
    private async IAsyncEnumerable<GitOutput> RunAsync(string workingDirectory, Credentials? credentials, IReadOnlyList<string> schemes,
        [EnumeratorCancellation] CancellationToken cancellationToken, string[] arguments)
    {
        var tail = new Queue<string>();
        var invocation = GitInvocation.Create(arguments, workingDirectory, schemes, credentials?.Text, credentials?.Origin);
        await foreach (var line in git.StreamAsync(invocation, cancellationToken).ConfigureAwait(false))
        {
            if (line.ExitCode is { } exitCode)
            {
                if (exitCode == 0) yield break;
                var detail = tail.Count > 0 ? ": " + string.Join(" ", tail) : "";
                yield return new GitOutput($"git {Command(arguments)} failed (exit code {exitCode}){detail}", Failed: true);
                yield break;
            }
            tail.Enqueue(line.Text);
            if (tail.Count > TailLines) tail.Dequeue();
            yield return new GitOutput(line.Text);
        }
    }

    /// <summary>The git command's name: the first argument after the <c>-c key=value</c> pairs.</summary>
    private static string Command(string[] arguments)
    {
        var i = 0;
        while (i < arguments.Length - 1 && arguments[i] == "-c") i += 2;
        return arguments[i];
    }

    /// <summary>Credential-helper text and the URL whose origin alone may be given it.</summary>
    private sealed record Credentials(string Text, string Origin)
    {
        public override string ToString() => $"Credentials for {Origin}";
    }

    [GeneratedRegex("^[0-9a-f]{40}([0-9a-f]{24})?$")]
    private static partial Regex CommitId();
}
