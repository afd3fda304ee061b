using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;

namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// The real <see cref="IGitRunner"/>: starts <c>git</c> without a shell (arguments through
/// <see cref="ProcessStartInfo.ArgumentList"/>), with the invocation's environment, no stdin, bounded output, and the whole
/// process tree killed on timeout, cancellation or when the reader stops.
/// </summary>
internal sealed class GitCommand(TimeProvider time) : IGitRunner
{
    private const int OutputLimit = 1 << 20;
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    public async Task<GitCommandResult> RunAsync(GitInvocation invocation, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo(invocation)) ?? throw new InvalidOperationException("git could not be started.");
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
                await Task.WhenAll(stdout, stderr).WaitAsync(KillGrace, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            cancellationToken.ThrowIfCancellationRequested();
            return new GitCommandResult(-1, "", stderr.IsCompletedSuccessfully ? stderr.Result : "", TimedOut: true);
        }
        return new GitCommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), TimedOut: false);
    }

    public async IAsyncEnumerable<GitLine> StreamAsync(GitInvocation invocation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(invocation) };
        process.Start();
        process.StandardInput.Close();
        var lines = Channel.CreateUnbounded<string>();
        var readers = Task.WhenAll(PumpAsync(process.StandardOutput, lines.Writer), PumpAsync(process.StandardError, lines.Writer))
            .ContinueWith(_ => lines.Writer.TryComplete(), TaskScheduler.Default);
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new GitLine(line);
            }
            await readers.ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Cancelled, or the caller stopped reading: git must not outlive its caller.
            KillAndWait(process);
        }
        yield return GitLine.Exited(process.ExitCode);
    }

    private static ProcessStartInfo StartInfo(GitInvocation invocation)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = invocation.WorkingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in invocation.Arguments) psi.ArgumentList.Add(argument);
        foreach (var (name, value) in invocation.Environment)
        {
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        }
        return psi;
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

    private static void KillAndWait(Process process)
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

    private static async Task PumpAsync(StreamReader reader, ChannelWriter<string> writer)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0) writer.TryWrite(line);
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
