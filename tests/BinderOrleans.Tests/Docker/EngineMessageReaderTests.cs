using System.Runtime.CompilerServices;
using BinderOrleans.Docker.Engine;

namespace BinderOrleans.Tests.Docker;

public sealed class EngineMessageReaderTests
{
    private static async IAsyncEnumerable<JsonMessage> Stream(IEnumerable<JsonMessage> messages, Exception? thenThrow = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var m in messages)
        {
            await Task.Yield();
            yield return m;
        }
        if (thenThrow is not null) throw thenThrow;
    }

    private static async Task<(List<string?> Seen, string? Error)> ReadAll(IAsyncEnumerable<JsonMessage> messages)
    {
        var seen = new List<string?>();
        await using var reader = new EngineMessageReader(messages, CancellationToken.None);
        while (await reader.ReadAsync()) seen.Add(reader.Current.Stream);
        Assert.False(await reader.ReadAsync());
        return (seen, reader.Error);
    }

    [Fact]
    public async Task ErrorLineInTheStream_EndsReading_WithItsMessage()
    {
        var (seen, error) = await ReadAll(Stream([
            new JsonMessage { Stream = "Step 1/2" },
            new JsonMessage { Error = "short", ErrorDetail = new JsonErrorDetail(1, "The command '/bin/sh -c false' returned a non-zero code: 1") },
            new JsonMessage { Stream = "never read" },
        ]));
        Assert.Equal(["Step 1/2"], seen);
        Assert.Equal("The command '/bin/sh -c false' returned a non-zero code: 1", error);
    }

    [Fact]
    public async Task BrokenTransport_EndsReading_WithTheExceptionMessage()
    {
        var (seen, error) = await ReadAll(Stream([new JsonMessage { Stream = "a" }], new IOException("connection reset")));
        Assert.Equal(["a"], seen);
        Assert.Equal("connection reset", error);
    }

    [Fact]
    public async Task CleanEnd_LeavesNoError()
    {
        var (seen, error) = await ReadAll(Stream([new JsonMessage { Stream = "a" }, new JsonMessage { Stream = "b" }]));
        Assert.Equal(["a", "b"], seen);
        Assert.Null(error);
    }
}
