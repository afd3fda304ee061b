using System.Runtime.CompilerServices;

namespace BinderOrleans.JupyterHub.Api;

/// <summary>An open spawn-progress event stream, or why it could not be opened.</summary>
internal sealed class HubProgressStream : IDisposable
{
    private readonly HttpResponseMessage? _response;

    public HubProgressStream(HubResponse status, HttpResponseMessage? response = null)
    {
        Status = status;
        _response = response;
    }

    /// <summary>How the hub answered the request for the stream.</summary>
    public HubResponse Status { get; }

    /// <summary>Set when the connection broke before the stream ended.</summary>
    public string? BrokenBy { get; private set; }

    /// <summary>The stream's events until it ends; SSE framing as JupyterHub writes it (<c>data: {json}</c>, blank-line keepalives).</summary>
    public async IAsyncEnumerable<HubProgressEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_response is null) yield break;
        var stream = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        var data = new List<string>();
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                BrokenBy = ex.Message;
                break;
            }
            if (line is null) break;
            if (line.Length > 0)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal)) data.Add(line[5..].TrimStart(' '));
                continue;
            }
            if (data.Count == 0) continue;
            var e = HubProgressEvent.Parse(string.Join('\n', data));
            data.Clear();
            if (e is not null) yield return e;
        }
        // A last event without its blank line still counts.
        if (data.Count > 0 && HubProgressEvent.Parse(string.Join('\n', data)) is { } last) yield return last;
    }

    public void Dispose() => _response?.Dispose();
}
