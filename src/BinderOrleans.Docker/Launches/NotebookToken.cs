using System.Buffers.Text;
using System.Security.Cryptography;

namespace BinderOrleans.Docker.Launches;

/// <summary>A server token as BinderHub makes them: 16 random bytes (a UUID's worth) as URL-safe base64 without padding, 22 chars.</summary>
internal static class NotebookToken
{
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
