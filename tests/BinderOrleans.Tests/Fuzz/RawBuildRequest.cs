using System.Net.Http.Headers;
using System.Text;
using BinderOrleans.Testing;

namespace BinderOrleans.Tests.Fuzz;

/// <summary>
/// Sends a spec to <c>/build</c> byte for byte as a careful client would: characters a request target cannot carry are
/// percent-encoded, existing escapes (even malformed ones) are kept, and nothing canonicalizes the path on the way.
/// </summary>
internal static class RawBuildRequest
{
    private const string PathCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/%";

    /// <summary>
    /// The spec as a path: dot-only segments (which the server's path normalization would climb out of <c>/build</c>
    /// with) become <c>x</c>; everything else is kept or percent-encoded.
    /// </summary>
    public static string WireSpec(string spec)
    {
        var segments = spec.Split('/').Select(s => IsDots(s) || IsDots(Uri.UnescapeDataString(s)) ? "x" : s);
        var sb = new StringBuilder();
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in string.Join('/', segments).EnumerateRunes())
        {
            if (rune.IsAscii && PathCharacters.Contains((char)rune.Value, StringComparison.Ordinal))
            {
                sb.Append((char)rune.Value);
                continue;
            }
            var n = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..n]) sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    public static async Task<(int Status, string? ContentType, List<SseMessage> Messages)> SendAsync(HttpClient client, Uri baseUri, string provider,
        string wireSpec, TimeSpan timeout)
    {
        var uri = new Uri($"{baseUri}build/{provider}/{wireSpec}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var cts = new CancellationTokenSource(timeout);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
        var messages = new List<SseMessage>();
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cts.Token).ConfigureAwait(false)) messages.Add(m);
        }
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, messages);
    }

    private static bool IsDots(string segment) => segment is "." or "..";
}
