using System.Buffers.Binary;
using System.Text;

namespace BinderOrleans.Docker.Engine;

/// <summary>
/// Splits the engine's attach/logs/exec framing for containers without a TTY: every frame starts with an
/// 8-byte header (stream type: 1 stdout, 2 stderr; 3 padding bytes; big-endian payload length).
/// </summary>
internal static class MultiplexedStream
{
    /// <returns>Each stream's text, and both interleaved in arrival order.</returns>
    public static async Task<(string Stdout, string Stderr, string Combined)> ReadAllAsync(Stream body, CancellationToken cancellationToken)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var combined = new MemoryStream();
        var header = new byte[8];
        var buffer = new byte[16 * 1024];
        while (await ReadExactlyOrEndAsync(body, header, cancellationToken).ConfigureAwait(false))
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            var target = header[0] == 2 ? stderr : stdout;
            while (length > 0)
            {
                var read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length)), cancellationToken).ConfigureAwait(false);
                if (read == 0) throw new EndOfStreamException("The engine closed a multiplexed stream mid-frame.");
                target.Write(buffer, 0, read);
                combined.Write(buffer, 0, read);
                length -= (uint)read;
            }
        }
        return (Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()), Encoding.UTF8.GetString(combined.ToArray()));
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream body, byte[] header, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < header.Length)
        {
            var read = await body.ReadAsync(header.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (filled == 0) return false;
                throw new EndOfStreamException("The engine closed a multiplexed stream mid-header.");
            }
            filled += read;
        }
        return true;
    }
}
