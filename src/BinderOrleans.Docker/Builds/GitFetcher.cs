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
/// <see cref="GitInvocation.Create"/>'s environment.
/// </summary>
internal sealed partial class GitFetcher(IGitRunner git, IOptions<GitProviderOptions> options)
{
    private const int TailLines = 5;
    private readonly IReadOnlyList<string> _schemes = options.Value.EffectiveCloneSchemes;

    /// <param name="url">Repository URL.</param>
    /// <param name="reference">Commit (or any ref git can resolve after the clone).</param>
    /// <param name="directory">Target folder; must not exist yet.</param>
    /// <param name="credentials">git credential-helper text (<c>username=…\npassword=…</c>), or null.</param>
    /// <param name="cancellationToken">Stops git (its whole process tree).</param>
    public async IAsyncEnumerable<GitOutput> FetchAsync(string url, string reference, string directory, string? credentials,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (GitUrl.Canonicalize(url, _schemes, out var problem) is not { } canonical)
        {
            yield return new GitOutput(problem!, Failed: true);
            yield break;
        }

        var parent = Path.GetDirectoryName(directory)!;
        GitOutput? last = null;
        await foreach (var line in RunAsync(parent, credentials, cancellationToken, "clone", "--no-checkout", "--", canonical, directory).ConfigureAwait(false))
        {
            last = line;
            yield return line;
        }
        if (last is { Failed: true }) yield break;

        // Resolve with --end-of-options so a ref can never be read as an option; check out the verified commit id.
        var commit = "";
        await foreach (var line in RunAsync(directory, credentials, cancellationToken, "rev-parse", "--verify", "--quiet", "--end-of-options", reference + "^{commit}").ConfigureAwait(false))
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
        await foreach (var line in RunAsync(directory, credentials, cancellationToken, "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit).ConfigureAwait(false))
        {
            last = line;
            yield return line;
        }
        if (last is { Failed: true } || !File.Exists(Path.Combine(directory, ".gitmodules"))) yield break;

        await foreach (var line in RunAsync(directory, credentials, cancellationToken, "submodule", "update", "--init", "--recursive").ConfigureAwait(false))
        {
            yield return line;
        }
    }

    /// <summary>Runs git, yielding its output lines as they come; a non-zero exit ends with one failed line.</summary>
    private async IAsyncEnumerable<GitOutput> RunAsync(string workingDirectory, string? credentials,
        [EnumeratorCancellation] CancellationToken cancellationToken, params string[] arguments)
    {
        var tail = new Queue<string>();
        var invocation = GitInvocation.Create(arguments, workingDirectory, _schemes, credentials);
        await foreach (var line in git.StreamAsync(invocation, cancellationToken).ConfigureAwait(false))
        {
            if (line.ExitCode is { } exitCode)
            {
                if (exitCode == 0) yield break;
                var detail = tail.Count > 0 ? ": " + string.Join(" ", tail) : "";
                yield return new GitOutput($"git {arguments[0]} failed (exit code {exitCode}){detail}", Failed: true);
                yield break;
            }
            tail.Enqueue(line.Text);
            if (tail.Count > TailLines) tail.Dequeue();
            yield return new GitOutput(line.Text);
        }
    }

    [GeneratedRegex("^[0-9a-f]{40}([0-9a-f]{24})?$")]
    private static partial Regex CommitId();
}
