using Docker.DotNet.Models;

namespace BinderOrleans.Docker.Engine;

/// <summary>
/// Reads an engine progress stream (build, push, pull) until it ends or reports an error. Errors arrive two ways — a
/// failed call (<see cref="DockerEngineException"/>) or an <c>errorDetail</c> message in the stream — and both end the
/// reading with <see cref="Error"/> set, so callers can keep yielding events from their loop (C# iterators cannot
/// yield inside a catch). <see cref="EngineLost"/> tells the two apart.
/// </summary>
internal sealed class EngineMessageReader(IAsyncEnumerable<JSONMessage> messages, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<JSONMessage> _messages = messages.GetAsyncEnumerator(cancellationToken);

    public JSONMessage Current { get; private set; } = null!;

    /// <summary>Set when the stream ended with an error.</summary>
    public string? Error { get; private set; }

    /// <summary>True when the error is the engine itself being unreachable or gone, not the operation failing.</summary>
    public bool EngineLost { get; private set; }

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
            EngineLost = ex is not DockerEngineException { Unavailable: false };
            return false;
        }
        if (ErrorOf(_messages.Current) is { } error)
        {
            Error = error;
            return false;
        }
        Current = _messages.Current;
        return true;
    }

    /// <summary>The error text of a progress message; null when it is not an error.</summary>
    public static string? ErrorOf(JSONMessage message) => message.Error?.Message is { Length: > 0 } text ? text : null;

    public ValueTask DisposeAsync() => _messages.DisposeAsync();
}
