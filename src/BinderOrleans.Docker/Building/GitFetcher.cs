using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace BinderOrleans.Docker.Building;

/// <summary>
/// Checks out one commit of a repository with the git command line, as repo2docker's Git content provider does:
/// full clone without checkout, the ref resolved to a commit, detached checkout, submodules.
/// User input only ever reaches git as a positional argument after <c>--</c> (or verified as a commit id).
/// </summary>
internal sealed partial class GitFetcher
{
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    /// <param name="url">Repository URL.</param>
    /// <param name="reference">Commit (or any ref git can resolve after the clone).</param>
    /// <param name="directory">Target folder; must not exist yet.</param>
    /// <param name="credentials">git credential-helper text (<c>username=…\npassword=…</c>), or null.</param>
    public async IAsyncEnumerable<GitOutput> FetchAsync(string url, string reference, string directory, string? credentials,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(directory)!;
        GitOutput? last = null;
        await foreach (var line in RunAsync(parent, credentials, cancellationToken, "clone", "--no-checkout", "--", url, directory).ConfigureAwait(false))
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
    private static async IAsyncEnumerable<GitOutput> RunAsync(string workingDirectory, string? credentials,
        [EnumeratorCancellation] CancellationToken cancellationToken, params string[] arguments)
    {
        var psi = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        psi.Environment["GIT_TERMINAL_PROMPT"] = "0";
        psi.Environment["LC_ALL"] = "C";
        if (credentials is not null)
        {
            // The helper reads the secret from the environment, so it never appears on a command line.
            psi.Environment["BINDER_GIT_CREDENTIALS"] = credentials;
            psi.Environment["GIT_CONFIG_COUNT"] = "1";
            psi.Environment["GIT_CONFIG_KEY_0"] = "credential.helper";
            psi.Environment["GIT_CONFIG_VALUE_0"] = "!f() { test \"$1\" = get && printf '%s\\n' \"$BINDER_GIT_CREDENTIALS\"; }; f";
        }

        using var process = new Process { StartInfo = psi };
        process.Start();
        process.StandardInput.Close();
        var lines = Channel.CreateUnbounded<string>();
        var tail = new Queue<string>();
        var readers = Task.WhenAll(PumpAsync(process.StandardOutput, lines.Writer), PumpAsync(process.StandardError, lines.Writer))
            .ContinueWith(_ => lines.Writer.TryComplete(), TaskScheduler.Default);
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                tail.Enqueue(line);
                if (tail.Count > 5) tail.Dequeue();
                yield return new GitOutput(line);
            }
            await readers.ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Cancelled, or the caller stopped reading: git must not outlive the build.
            Kill(process);
        }
        if (process.ExitCode != 0)
        {
            var detail = tail.Count > 0 ? ": " + string.Join(" ", tail) : "";
            yield return new GitOutput($"git {arguments[0]} failed (exit code {process.ExitCode}){detail}", Failed: true);
        }
    }

    private static async Task PumpAsync(StreamReader reader, ChannelWriter<string> writer)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0) writer.TryWrite(line);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(KillGrace);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    [GeneratedRegex("^[0-9a-f]{40}([0-9a-f]{24})?$")]
    private static partial Regex CommitId();
}
