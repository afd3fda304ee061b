using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Launches;

/// <summary>
/// Starts one server from an image. Yields <c>launching</c> progress, then exactly one terminal event:
/// <c>ready</c> with <c>url</c> and <c>token</c>, or <c>failed</c> with a <c>status_code</c>.
/// A failed or cancelled launch leaves nothing running.
/// </summary>
public interface ILauncher
{
    IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Stops and removes a server this launcher made ready (<paramref name="server"/> is the <c>ready</c> event's
    /// <see cref="BinderEvent.Server"/>), with anything made for it alone (a temporary hub user). Called when the
    /// session's client left and did not come back within <c>Binder:ReconnectGrace</c>. A server already gone is success.
    /// </summary>
    Task StopAsync(string server, CancellationToken cancellationToken) => Task.CompletedTask;
}
