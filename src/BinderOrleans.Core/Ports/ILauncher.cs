using BinderOrleans.Core.Events;

namespace BinderOrleans.Core.Ports;

/// <summary>
/// Starts one server from an image. Yields <c>launching</c> progress, then exactly one terminal event:
/// <c>ready</c> with <c>url</c> and <c>token</c>, or <c>failed</c> with a <c>status_code</c>.
/// A failed or cancelled launch leaves nothing running.
/// </summary>
public interface ILauncher
{
    IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken);
}
