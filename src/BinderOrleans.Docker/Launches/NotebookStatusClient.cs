using System.Globalization;
using System.Text.Json;

namespace BinderOrleans.Docker.Launches;

/// <summary>Asks a launched Jupyter server <c>GET /api/status?token=…</c>, each call bounded by its own timeout.</summary>
internal sealed class NotebookStatusClient(HttpClient http)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    /// <summary>A client that never goes through a proxy (servers are on this host).</summary>
    public static NotebookStatusClient Create() =>
        new(new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        });

    /// <returns>The status when the server answered 200; null when it did not answer (yet), or refused.</returns>
    public async Task<NotebookStatus?> GetAsync(Uri serverUrl, string token, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await http.GetAsync(new Uri(serverUrl, "api/status?token=" + Uri.EscapeDataString(token)), timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return new NotebookStatus(ReadLastActivity(body));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    internal static DateTimeOffset? ReadLastActivity(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("last_activity", out var value) && value.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return at;
            }
        }
        catch (JsonException)
        {
            // A server that answers something else is up, just without an activity time.
        }
        return null;
    }
}
