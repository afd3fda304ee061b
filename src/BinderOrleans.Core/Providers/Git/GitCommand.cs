using System.Diagnostics;
using System.Text;

namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// Runs git without a shell: arguments through <see cref="ProcessStartInfo.ArgumentList"/>, no terminal prompts,
/// no stdin, bounded output, and the whole process tree killed on timeout or cancellation.
/// </summary>
internal static class GitCommand
{
    private const int OutputLimit = 1 << 20;

    public static async Task<GitCommandResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyCollection<string> allowedProtocols,
        TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        // Never wait for credentials: a private or missing repository must fail, not hang.
        psi.Environment["GIT_TERMINAL_PROMPT"] = "0";
        psi.Environment["GCM_INTERACTIVE"] = "never";
        psi.Environment["LC_ALL"] = "C";
        // Defence in depth next to our own scheme check: git itself refuses other transports (ext::, fd::, …).
        psi.Environment["GIT_ALLOW_PROTOCOL"] = string.Join(':', allowedProtocols);
        if (!psi.Environment.ContainsKey("GIT_SSH_COMMAND")) psi.Environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("git could not be started.");
        process.StandardInput.Close();
        using var timeoutCts = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, cancellationToken);
        var stdout = ReadCappedAsync(process.StandardOutput);
        var stderr = ReadCappedAsync(process.StandardError);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            // The pipes close once the tree is gone; wait for the readers briefly, but never hang on a stray holder.
            try
            {
                await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            cancellationToken.ThrowIfCancellationRequested();
            return new GitCommandResult(-1, "", stderr.IsCompletedSuccessfully ? stderr.Result : "", TimedOut: true);
        }
        return new GitCommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), TimedOut: false);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Reads to the end, keeping at most <see cref="OutputLimit"/> chars, so a hostile server cannot fill memory.</summary>
    private static async Task<string> ReadCappedAsync(StreamReader reader)
    {
        var sb = new StringBuilder();
        var buffer = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var keep = Math.Min(n, OutputLimit - sb.Length);
            if (keep > 0) sb.Append(buffer, 0, keep);
        }
        return sb.ToString();
    }
}
