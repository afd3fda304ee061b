using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Sessions;

/// <summary>
/// Session ids as this service issues them: 48 hex digits, a random nonce followed by its HMAC-SHA256 (truncated to 96
/// bits) under <c>Binder:SessionSecret</c>. A client cannot choose a session id: a <c>Last-Event-ID</c> whose
/// session fails the check is a new request. Every replica must hold the same secret to resume each other's sessions;
/// without one (a single process) a random secret is made at start.
/// </summary>
public sealed class SessionKeys
{
    private const int NonceBytes = 12;
    private const int MacBytes = 12;
    private readonly byte[] _secret;

    public SessionKeys(IOptions<SiteOptions> options) =>
        _secret = options.Value.SessionSecret is { Length: > 0 } secret ? Encoding.UTF8.GetBytes(secret) : RandomNumberGenerator.GetBytes(32);

    /// <summary>Length of every session id.</summary>
    public const int KeyLength = 2 * (NonceBytes + MacBytes);

    public string NewKey()
    {
        Span<byte> key = stackalloc byte[NonceBytes + MacBytes];
        RandomNumberGenerator.Fill(key[..NonceBytes]);
        Sign(key[..NonceBytes], key[NonceBytes..]);
        return Convert.ToHexStringLower(key);
    }

    /// <summary>Whether <paramref name="key"/> is a session id this cluster issued (lower-case hex, signature valid).</summary>
    public bool IsOurs(string key)
    {
        if (key.Length != KeyLength || !key.All(char.IsAsciiHexDigitLower)) return false;
        Span<byte> bytes = stackalloc byte[NonceBytes + MacBytes];
        if (Convert.FromHexString(key, bytes, out _, out _) != OperationStatus.Done) return false;
        Span<byte> expected = stackalloc byte[MacBytes];
        Sign(bytes[..NonceBytes], expected);
        return CryptographicOperations.FixedTimeEquals(expected, bytes[NonceBytes..]);
    }

    private void Sign(ReadOnlySpan<byte> nonce, Span<byte> mac)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, nonce, hash);
        hash[..mac.Length].CopyTo(mac);
    }
}
