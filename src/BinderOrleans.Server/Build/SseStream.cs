using System.Text;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Server.Build;

/// <summary>
/// Writes BinderHub's framing: one <c>data: {json}</c> line per event (plus an <c>id:</c> line so a
/// reconnecting EventSource can resume), <c>:keepalive</c> comments. Every event is flushed; events that arrive
/// together share one flush.
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

    /// <param name="flush">False to leave the event in the response buffer until <see cref="FlushAsync"/> (more are ready).</param>
    public Task WriteEventAsync(string? id, BinderEvent e, CancellationToken ct, bool flush = true)
    {
        var sb = new StringBuilder();
        if (id is not null) sb.Append("id: ").Append(id).Append('\n');
        sb.Append("data: ").Append(BinderEventJson.Serialize(e)).Append("\n\n");
        return WriteAsync(sb.ToString(), flush, ct);
    }

    /// <summary>Sends what <see cref="WriteEventAsync"/> left buffered.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await response.Body.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    public IDisposable StartKeepalive(TimeSpan interval, CancellationToken ct) =>
        time.CreateTimer(_ => _ = KeepaliveAsync(ct), null, interval, interval);

    private async Task KeepaliveAsync(CancellationToken ct)
    {
        try
        {
            await WriteAsync(":keepalive\n\n", flush: true, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client left; the event loop notices through the request's abort token.
        }
    }

    private async Task WriteAsync(string text, bool flush, CancellationToken ct)
    {
        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await response.WriteAsync(text, ct).ConfigureAwait(false);
            if (flush) await response.Body.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }
}
