using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using BinderOrleans.Core.Events;

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
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        string? id = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    var json = string.Join('\n', data);
                    yield return new SseMessage(id, json, BinderEventJson.Deserialize(json) ?? throw new InvalidDataException(json));
                }
                id = null;
                data.Clear();
                continue;
            }
            if (line.StartsWith(':')) { onComment?.Invoke(line[1..]); continue; }
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            if (field == "data") data.Add(value);
            else if (field == "id") id = value;
        }
    }

    /// <summary>Reads a whole <c>/build</c> stream, failing the test if it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<List<SseMessage>> ReadBuildAsync(HttpClient client, string pathAndQuery, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var response = await OpenAsync(client, pathAndQuery, cancellationToken: cts.Token).ConfigureAwait(false);
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
