using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace BinderOrleans.IntegrationTests.KubernetesNode;

/// <summary>
/// The service image as an operator builds it offline: <c>scripts/service-image.sh TAG</c>, once per test run. The tag
/// names this checkout (several checkouts share the machine's engine); the script reuses its publish output and the
/// image when the sources are unchanged, so a warm run costs a second.
/// </summary>
public static class ServiceImage
{
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    /// <summary>The checkout these tests were built from (the folder holding <c>scripts/service-image.sh</c>).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The image's tag, built (or found up to date) by the script.</summary>
    public static Task<string> GetAsync() => Built.Value;

    private static async Task<string> BuildAsync()
    {
        var tag = "binderorleans-test:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RepositoryRoot)))[..12];
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot,
        };
        psi.ArgumentList.Add(Path.Combine(RepositoryRoot, "scripts", "service-image.sh"));
        psi.ArgumentList.Add(tag);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("bash did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/service-image.sh did not finish within {BuildTimeout}:\n{await stderr.ConfigureAwait(false)}");
        }
        var printed = (await stdout.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0 || printed != tag)
        {
            throw new InvalidOperationException($"scripts/service-image.sh {tag} failed (exit {process.ExitCode}, printed '{printed}'):\n{await stderr.ConfigureAwait(false)}");
        }
        return tag;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "service-image.sh"))) return dir.FullName;
        }
        throw new InvalidOperationException("scripts/service-image.sh not found above " + AppContext.BaseDirectory);
    }
}
