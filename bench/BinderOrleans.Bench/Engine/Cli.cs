using System.Diagnostics;

namespace BinderOrleans.Bench.Engine;

/// <summary>Runs a command (docker, git) and returns its exit code and standard output; bounded by a timeout.</summary>
internal static class Cli
{
    /// <param name="input">A file to feed the command's standard input, or null for none.</param>
    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken, string? input = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var reading = process.StandardOutput.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            await using (var source = File.OpenRead(input))
            {
                await source.CopyToAsync(process.StandardInput.BaseStream, cancellationToken).ConfigureAwait(false);
            }
            process.StandardInput.Close();
        }
        var stdout = await reading.ConfigureAwait(false);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var error = await stderr.ConfigureAwait(false);
        return (process.ExitCode, process.ExitCode == 0 ? stdout : stdout + error);
    }
}
