using System.Diagnostics;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>Runs the docker CLI (and other short commands) for test setup and cleanup.</summary>
internal static class Cli
{
    public static Task<(int ExitCode, string Output)> DockerAsync(IReadOnlyList<string> args, string? stdin = null) =>
        Task.Run(() => Run("docker", args, stdin));

    public static (int ExitCode, string Output) Run(string command, IReadOnlyList<string> args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {command}");
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{command} {string.Join(' ', args)}");
        }
        return (p.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }
}
