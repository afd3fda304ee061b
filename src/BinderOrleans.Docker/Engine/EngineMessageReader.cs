namespace BinderOrleans.Docker.Engine;

/// <summary>
/// Reads an engine progress stream (build, push, pull) until it ends or reports an error. Errors arrive two ways — a
/// broken transport or an <c>errorDetail</c> message in the stream — and both end the reading with <see cref="Error"/>
/// set, so callers can keep yielding events from their loop (C# iterators cannot yield inside a catch).
/// </summary>
internal sealed class EngineMessageReader(IAsyncEnumerable<JsonMessage> messages, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<JsonMessage> _messages = messages.GetAsyncEnumerator(cancellationToken);

    public JsonMessage Current { get; private set; } = null!;

    /// <summary>Set when the stream ended with an error.</summary>
    public string? Error { get; private set; }

    /// <summary>The next message, or false at the end of the stream or at its first error.</summary>
    public async ValueTask<bool> ReadAsync()
    {
        if (Error is not null) return false;
        try
        {
            if (!await _messages.MoveNextAsync().ConfigureAwait(false)) return false;
        }
        catch (Exception ex) when (ex is DockerEngineException or IOException or HttpRequestException)
        {
            Error = ex.Message;
            return false;
        }
        if (_messages.Current.ErrorMessage is { } error)
        {
            Error = error;
            return false;
        }
        Current = _messages.Current;
        return true;
    }

    public ValueTask DisposeAsync() => _messages.DisposeAsync();
}
