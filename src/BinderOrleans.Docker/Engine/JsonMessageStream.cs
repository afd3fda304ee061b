using System.Runtime.CompilerServices;
using System.Text.Json;

namespace BinderOrleans.Docker.Engine;

/// <summary>
/// Reads the engine's progress stream: one JSON object per line (<c>\r\n</c> separated). Shared by build, push and
/// pull. A line that is not JSON becomes a <see cref="JsonMessage.Stream"/> text line instead of ending the stream.
/// </summary>
internal static class JsonMessageStream
{
    public static async IAsyncEnumerable<JsonMessage> ReadAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return Parse(line);
        }
    }

    internal static JsonMessage Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, DockerJsonContext.Default.JsonMessage) ?? new JsonMessage { Stream = line + "\n" };
        }
        catch (JsonException)
        {
            return new JsonMessage { Stream = line + "\n" };
        }
    }
}
