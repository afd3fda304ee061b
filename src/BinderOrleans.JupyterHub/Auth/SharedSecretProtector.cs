using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace BinderOrleans.JupyterHub.Auth;

/// <summary>
/// Protects the login cookie and the OAuth state with AES-GCM under a key derived (HKDF-SHA256) from a secret every
/// replica shares, so a cookie issued by one replica is read by all and an OAuth callback may land on any of them.
/// Each purpose chain derives its own key.
/// </summary>
internal sealed class SharedSecretProtector : IDataProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const byte Version = 1;

    private readonly byte[] _secret;
    private readonly string _purpose;
    private readonly byte[] _key;

    public SharedSecretProtector(string secret, string purpose = "")
    {
        _secret = Encoding.UTF8.GetBytes(secret);
        _purpose = purpose;
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, _secret, 32, Encoding.UTF8.GetBytes("binderorleans-hub-auth"), Encoding.UTF8.GetBytes(purpose));
    }

    public IDataProtector CreateProtector(string purpose) => new SharedSecretProtector(Encoding.UTF8.GetString(_secret), _purpose + "\n" + purpose);

    public byte[] Protect(byte[] plaintext)
    {
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize));
        return output;
    }

    public byte[] Unprotect(byte[] protectedData)
    {
        if (protectedData.Length < 1 + NonceSize + TagSize || protectedData[0] != Version) throw new CryptographicException("Not protected by this service.");
        var plaintext = new byte[protectedData.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(protectedData.AsSpan(1, NonceSize), protectedData.AsSpan(1 + NonceSize + TagSize), protectedData.AsSpan(1 + NonceSize, TagSize), plaintext);
        return plaintext;
    }
}
