using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;

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

    /// <summary>
    /// The stream's events until it ends, parsed by <see cref="SseParser"/> (JupyterHub writes <c>data: {json}</c> and
    /// blank-line keepalives). Payloads that are not JSON objects are skipped; an event cut off by the end of the
    /// stream is dropped, as the SSE spec says.
    /// </summary>
    public async IAsyncEnumerable<HubProgressEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_response is null) yield break;
        var stream = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var parser = SseParser.Create(stream, static (_, data) => HubProgressEvent.Parse(Encoding.UTF8.GetString(data)));
        await using var items = parser.EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await items.MoveNextAsync().ConfigureAwait(false)) break;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                BrokenBy = ex.Message;
                break;
            }
            if (items.Current.Data is { } e) yield return e;
        }
    }

    public void Dispose() => _response?.Dispose();
}
