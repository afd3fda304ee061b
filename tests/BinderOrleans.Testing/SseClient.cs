using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Testing;

/// <summary>One SSE message as a test sees it.</summary>
/// <param name="Id">The <c>id:</c> field, if any.</param>
/// <param name="Data">The raw <c>data:</c> JSON.</param>
/// <param name="Event">The parsed event.</param>
public sealed record SseMessage(string? Id, string Data, BinderEvent Event);

/// <summary>Reads a <c>/build</c> stream the way an EventSource does (ids, data lines, comments).</summary>
public static class SseClient
{
    /// <summary>Opens the stream; the caller reads <see cref="ReadAsync"/> from the response.</summary>
    public static async Task<HttpResponseMessage> OpenAsync(HttpClient client, string pathAndQuery, string? lastEventId = null,
        string accept = "text/event-stream", CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (accept.Length > 0) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Messages until the server closes the stream (comments such as <c>:keepalive</c> go to <paramref name="onComment"/>).</summary>
    public static async IAsyncEnumerable<SseMessage> ReadAsync(HttpResponseMessage response, Action<string>? onComment = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var parser = SseParser.Create(onComment is null ? body : new SseCommentTap(body, onComment), static (_, data) => Encoding.UTF8.GetString(data));
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new SseMessage(item.EventId, item.Data, BinderEventJson.Deserialize(item.Data) ?? throw new InvalidDataException(item.Data));
        }
    }

    /// <summary>
    /// Reads a whole <c>/build</c> stream (resuming after <paramref name="lastEventId"/> when given, as a reconnecting
    /// EventSource does), failing the test if it takes longer than <paramref name="timeout"/>.
    /// </summary>
    public static async Task<List<SseMessage>> ReadBuildAsync(HttpClient client, string pathAndQuery, TimeSpan timeout, string? lastEventId = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var response = await OpenAsync(client, pathAndQuery, lastEventId, cancellationToken: cts.Token).ConfigureAwait(false);
        var list = new List<SseMessage>();
        try
        {
            await foreach (var m in ReadAsync(response, cancellationToken: cts.Token).ConfigureAwait(false)) list.Add(m);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"{pathAndQuery} did not finish within {timeout}; got: {string.Join(" | ", list.Select(m => m.Data))}");
        }
        return list;
    }
}
