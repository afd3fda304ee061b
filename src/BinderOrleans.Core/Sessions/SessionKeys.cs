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
/// without one (a single process) a random secret is made at start. A session of a logged-in user
/// (<c>Binder:AuthEnabled</c>) carries its owner: <c>-</c> and 24 more hex digits, the HMAC of the nonce and the user's
/// name, so another user presenting it is told it is not theirs (and sees none of its events), on any replica, even after
/// the session itself is gone.
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

    /// <summary>Length of a logged-in user's session id: <see cref="KeyLength"/>, <c>-</c>, the owner's tag.</summary>
    public const int OwnedKeyLength = KeyLength + 1 + 2 * MacBytes;

    public string NewKey() => NewKey(null);

    /// <param name="owner">The logged-in hub user the session is for; null = anonymous.</param>
    public string NewKey(string? owner)
    {
        Span<byte> key = stackalloc byte[NonceBytes + MacBytes];
        RandomNumberGenerator.Fill(key[..NonceBytes]);
        Sign(key[..NonceBytes], key[NonceBytes..]);
        var text = Convert.ToHexStringLower(key);
        return owner is null ? text : text + "-" + OwnerTag(key[..NonceBytes], owner);
    }

    /// <summary>
    /// Whether <paramref name="key"/> is a session id this cluster issued (lower-case hex, signature valid), whoever's it is.
    /// </summary>
    public bool IsOurs(string key)
    {
        if (key.Length == OwnedKeyLength)
        {
            if (key[KeyLength] != '-' || key.AsSpan(KeyLength + 1).ContainsAnyExcept(LowerHex)) return false;
            key = key[..KeyLength];
        }
        return Nonce(key) is not null;
    }

    /// <summary>Whether <paramref name="key"/> (one of ours) was issued to <paramref name="user"/> (null: to an anonymous client).</summary>
    public bool IsOwnedBy(string key, string? user)
    {
        if (user is null) return key.Length == KeyLength;
        if (key.Length != OwnedKeyLength || Nonce(key[..KeyLength]) is not { } nonce) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(OwnerTag(nonce, user)), Encoding.ASCII.GetBytes(key[(KeyLength + 1)..]));
    }

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    /// <summary>The nonce of a signed base key, or null.</summary>
    private byte[]? Nonce(string key)
    {
        if (key.Length != KeyLength || !key.All(char.IsAsciiHexDigitLower)) return null;
        Span<byte> bytes = stackalloc byte[NonceBytes + MacBytes];
        if (Convert.FromHexString(key, bytes, out _, out _) != OperationStatus.Done) return null;
        Span<byte> expected = stackalloc byte[MacBytes];
        Sign(bytes[..NonceBytes], expected);
        return CryptographicOperations.FixedTimeEquals(expected, bytes[NonceBytes..]) ? bytes[..NonceBytes].ToArray() : null;
    }

    private void Sign(ReadOnlySpan<byte> nonce, Span<byte> mac)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, nonce, hash);
        hash[..mac.Length].CopyTo(mac);
    }

    /// <summary>HMAC of "owner", the nonce and the user's name: distinct from the key's own signature (which is of the nonce alone).</summary>
    private string OwnerTag(ReadOnlySpan<byte> nonce, string owner)
    {
        var name = Encoding.UTF8.GetBytes(owner);
        var data = new byte[6 + nonce.Length + name.Length];
        "owner\0"u8.CopyTo(data);
        nonce.CopyTo(data.AsSpan(6));
        name.CopyTo(data.AsSpan(6 + nonce.Length));
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, data, hash);
        return Convert.ToHexStringLower(hash[..MacBytes]);
    }
}
