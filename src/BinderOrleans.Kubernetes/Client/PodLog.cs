using System.Runtime.CompilerServices;

namespace BinderOrleans.Kubernetes.Client;

/// <summary>
/// An open <c>/log?follow=true</c> stream. It ends when the container exits (or the pod goes away); a dropped
/// connection also ends it, with <see cref="Error"/> saying so. Reading has no timeout: builds can be quiet for long.
/// </summary>
internal sealed class PodLog(Stream stream) : IAsyncDisposable
{
    /// <summary>Set when the stream broke instead of ending.</summary>
    public string? Error { get; private set; }

    /// <summary>The log's lines, without line endings, as they arrive.</summary>
    public async IAsyncEnumerable<string> ReadLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, leaveOpen: true);
        while (await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false) is { } line)
        {
            yield return line;
        }
    }

    private async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            Error = ex.Message;
            return null;
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
