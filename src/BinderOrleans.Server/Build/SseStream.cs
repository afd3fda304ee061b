using System.Text;
using BinderOrleans.Core.Events;

namespace BinderOrleans.Server.Build;

/// <summary>
/// Writes BinderHub's framing: one <c>data: {json}</c> line per event (plus an <c>id:</c> line so a
/// reconnecting EventSource can resume), <c>:keepalive</c> comments, a flush per write.
/// Writes from the event loop and the keepalive timer are serialized.
/// </summary>
internal sealed class SseStream(HttpResponse response, TimeProvider time)
{
    private readonly SemaphoreSlim _write = new(1, 1);

    public Task StartAsync(CancellationToken ct)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        return response.Body.FlushAsync(ct);
    }

    public Task WriteEventAsync(string? id, BinderEvent e, CancellationToken ct)
    {
        var sb = new StringBuilder();
        if (id is not null) sb.Append("id: ").Append(id).Append('\n');
        sb.Append("data: ").Append(BinderEventJson.Serialize(e)).Append("\n\n");
        return WriteAsync(sb.ToString(), ct);
    }

    public IDisposable StartKeepalive(TimeSpan interval, CancellationToken ct) =>
        time.CreateTimer(_ => _ = KeepaliveAsync(ct), null, interval, interval);

    private async Task KeepaliveAsync(CancellationToken ct)
    {
        try
        {
            await WriteAsync(":keepalive\n\n", ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client left; the event loop notices through the request's abort token.
        }
    }

    private async Task WriteAsync(string text, CancellationToken ct)
    {
        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await response.WriteAsync(text, ct).ConfigureAwait(false);
            await response.Body.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }
}
