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

    /// <summary>
    /// The <c>ready</c> event (with <see cref="BinderEvent.Server"/>) of a server that a launch for the session
    /// <see cref="LaunchRequest.SessionId"/> already started and that answers, or null when there is none. A session
    /// restarted after its silo was lost asks this before it launches, and adopts the server the lost activation had
    /// started instead of starting a second. What the lost launch left half-started is removed. Default: null.
    /// </summary>
    Task<BinderEvent?> FindExistingAsync(LaunchRequest request, CancellationToken cancellationToken) => Task.FromResult<BinderEvent?>(null);
}
