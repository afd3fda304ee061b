using System.Buffers;
using System.Globalization;
using System.Text;

namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// Reads git's pkt-line framing (four hex digits of length, then the payload; <c>0000</c> is a flush) with a bound on
/// the total bytes read, so a hostile server cannot make the service buffer without end.
/// </summary>
internal sealed class PktLineReader(Stream stream, int maxTotalBytes)
{
    /// <summary>git's largest pkt-line (65520 bytes, header included).</summary>
    public const int MaxLineLength = 65520;

    private int _total;

    /// <summary>The next line's payload without its trailing newline; null for a flush; throws on a broken frame or end of stream.</summary>
    public async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        var header = new byte[4];
        await ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        if (!int.TryParse(Encoding.ASCII.GetString(header), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var length))
        {
            throw new InvalidDataException("the server's answer is not in git's pkt-line format");
        }
        if (length == 0) return null;
        if (length < 4 || length > MaxLineLength) throw new InvalidDataException($"the server sent a pkt-line of length {length}");
        var payload = ArrayPool<byte>.Shared.Rent(length - 4);
        try
        {
            await ReadExactlyAsync(payload.AsMemory(0, length - 4), cancellationToken).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(payload, 0, length - 4);
            return text.EndsWith('\n') ? text[..^1] : text;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    private async Task ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        _total += buffer.Length;
        if (_total > maxTotalBytes) throw new InvalidDataException($"the ref advertisement is larger than {maxTotalBytes} bytes");
        await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One pkt-line as bytes.</summary>
    public static byte[] Encode(string payload)
    {
        var body = Encoding.UTF8.GetBytes(payload);
        return [.. Encoding.ASCII.GetBytes((body.Length + 4).ToString("x4", CultureInfo.InvariantCulture)), .. body];
    }
}
