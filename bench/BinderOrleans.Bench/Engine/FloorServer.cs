using System.Diagnostics;

namespace BinderOrleans.Bench.Engine;

/// <summary>The floors' own servers: the launcher's server command as <c>docker run</c> arguments, and the 10 ms poll of <c>/api/status</c>.</summary>
internal static class FloorServer
{
    public static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    /// <summary>The image and the server command after <c>docker run</c>'s own options.</summary>
    public static string[] Command(string image, string token, string ip, int port) =>
    [
        image, "python3", "-m", "notebook", $"--ip={ip}", $"--port={port}", $"--NotebookApp.token={token}", $"--ServerApp.token={token}",
        "--NotebookApp.port_retries=0", "--ServerApp.port_retries=0", "--NotebookApp.open_browser=False", "--ServerApp.open_browser=False",
    ];

    public static string NewToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>Asks <paramref name="url"/> every 10 ms until it answers 2xx; returns the time on <paramref name="clock"/> then.</summary>
    public static async Task<double> PollAsync(HttpClient probe, Uri url, Stopwatch clock, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (clock.Elapsed > Limit) throw new TimeoutException($"the floor's server did not answer within {Limit}");
            try
            {
                using var response = await probe.GetAsync(url, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return clock.Elapsed.TotalMilliseconds;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
            }
            await Task.Delay(PollEvery, cancellationToken).ConfigureAwait(false);
        }
    }
}
