using System.Text;

namespace BinderOrleans.Testing;

/// <summary>
/// Passes an SSE stream through unchanged and reports its comment lines (<c>:keepalive</c>): <see
/// cref="System.Net.ServerSentEvents.SseParser"/> skips comments, and some tests watch them.
/// </summary>
internal sealed class SseCommentTap(Stream inner, Action<string> onComment) : Stream
{
    private readonly List<byte> _comment = [];
    private bool _atLineStart = true;
    private bool _inComment;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Scan(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Scan(buffer.AsSpan(offset, read));
        return read;
    }

    private void Scan(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is (byte)'\n' or (byte)'\r')
            {
                if (_inComment) onComment(Encoding.UTF8.GetString([.. _comment]));
                _comment.Clear();
                _inComment = false;
                _atLineStart = true;
                continue;
            }
            if (_atLineStart)
            {
                _atLineStart = false;
                _inComment = b == (byte)':';
                if (_inComment) continue;
            }
            if (_inComment) _comment.Add(b);
        }
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
