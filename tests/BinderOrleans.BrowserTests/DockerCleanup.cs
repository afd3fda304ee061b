using System.Diagnostics;

namespace BinderOrleans.BrowserTests;

/// <summary>
/// Removes what one test run made in the shared Docker engine: containers of, then images named with, the run's
/// unique image prefix. Nothing else is touched.
/// </summary>
internal static class DockerCleanup
{
    public static async Task RemoveByImagePrefixAsync(string imagePrefix)
    {
        var images = (await DockerAsync("image", "ls", "--format", "{{.Repository}}:{{.Tag}}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(i => i.StartsWith(imagePrefix, StringComparison.Ordinal))
            .ToList();
        foreach (var image in images)
        {
            var containers = (await DockerAsync("ps", "-aq", "--filter", $"ancestor={image}"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (containers.Length > 0) await DockerAsync(["rm", "-f", "--", .. containers]);
            await DockerAsync("rmi", "-f", "--", image);
        }
    }

    private static async Task<string> DockerAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        await stderr;
        return await stdout;
    }
}
