using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Server.Build;

/// <summary>
/// Writes BinderHub's framing: one <c>data: {json}</c> line per event (plus an <c>id:</c> line so a reconnecting
/// EventSource can resume), <c>:keepalive</c> comments. Events go to the response's <see cref="PipeWriter"/> as the
/// bytes each event encoded once (<see cref="BinderEvent.Utf8Json"/>), with no per-client text. Every event is flushed;
/// events that arrive together share one flush. Writes from the event loop and the keepalive timer are serialized.
/// </summary>
internal sealed class SseStream(HttpResponse response, TimeProvider time)
{
    private static readonly byte[] IdField = "id: "u8.ToArray();
    private static readonly byte[] DataField = "data: "u8.ToArray();
    private static readonly byte[] Keepalive = ":keepalive\n\n"u8.ToArray();

    private readonly SemaphoreSlim _write = new(1, 1);

    public Task StartAsync(CancellationToken ct)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        return response.BodyWriter.FlushAsync(ct).AsTask();
    }

    /// <summary>The bytes every event id of session <paramref name="key"/> starts with (<c>{key}:</c>).</summary>
    public static byte[] IdPrefix(string key) => Encoding.UTF8.GetBytes(key + ":");

    /// <summary>One event with id <paramref name="id"/> (or none), flushed.</summary>
    public async Task WriteEventAsync(string? id, BinderEvent e, CancellationToken ct)
    {
        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Write(response.BodyWriter, id is null ? null : Encoding.UTF8.GetBytes(id), null, e);
            await response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>The events of <paramref name="slice"/>, ids <c>{key}:{index}</c> from <paramref name="idPrefix"/>.</summary>
    /// <param name="flush">False to leave them in the response buffer until <see cref="FlushAsync"/> (more are ready).</param>
    public async Task WriteSliceAsync(byte[] idPrefix, SessionSlice slice, bool flush, CancellationToken ct)
    {
        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            WriteSlice(response.BodyWriter, idPrefix, slice);
            if (flush) await response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Sends what <see cref="WriteSliceAsync"/> left buffered.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Asks the EventSource to reconnect after <paramref name="retry"/> (the SSE <c>retry:</c> field), then the caller closes.</summary>
    public Task WriteRetryAsync(TimeSpan retry, CancellationToken ct) =>
        WriteAsync(Encoding.ASCII.GetBytes($"retry: {(long)retry.TotalMilliseconds}\n\n"), ct);

    public IDisposable StartKeepalive(TimeSpan interval, CancellationToken ct) =>
        time.CreateTimer(_ => _ = KeepaliveAsync(ct), null, interval, interval);

    private async Task KeepaliveAsync(CancellationToken ct)
    {
        try
        {
            await WriteAsync(Keepalive, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client left; the event loop notices through the request's abort token.
        }
    }

    private async Task WriteAsync(byte[] bytes, CancellationToken ct)
    {
        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await response.BodyWriter.WriteAsync(bytes, ct).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    private static void WriteSlice(PipeWriter writer, byte[] idPrefix, SessionSlice slice)
    {
        var events = slice.Events.Span;
        for (var i = 0; i < events.Length; i++) Write(writer, idPrefix, slice.Index + i, events[i]);
    }

    /// <summary><c>id: {prefix}{index}\n</c> (when there is an id), <c>data: {json}\n\n</c>.</summary>
    private static void Write(PipeWriter writer, byte[]? idPrefix, int? index, BinderEvent e)
    {
        var json = e.Utf8Json.Span;
        var span = writer.GetSpan(IdField.Length + (idPrefix?.Length ?? 0) + 11 + 1 + DataField.Length + json.Length + 2);
        var n = 0;
        if (idPrefix is not null)
        {
            IdField.CopyTo(span);
            n += IdField.Length;
            idPrefix.CopyTo(span[n..]);
            n += idPrefix.Length;
            if (index is { } k)
            {
                Utf8Formatter.TryFormat(k, span[n..], out var written);
                n += written;
            }
            span[n++] = (byte)'\n';
        }
        DataField.CopyTo(span[n..]);
        n += DataField.Length;
        json.CopyTo(span[n..]);
        n += json.Length;
        span[n++] = (byte)'\n';
        span[n++] = (byte)'\n';
        writer.Advance(n);
    }
}
