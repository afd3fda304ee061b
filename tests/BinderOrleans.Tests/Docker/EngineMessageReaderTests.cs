using System.Runtime.CompilerServices;
using BinderOrleans.Docker.Engine;
using Docker.DotNet.Models;

namespace BinderOrleans.Tests.Docker;

public sealed class EngineMessageReaderTests
{
    private static async IAsyncEnumerable<JSONMessage> Stream(IEnumerable<JSONMessage> messages, Exception? thenThrow = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var m in messages)
        {
            await Task.Yield();
            yield return m;
        }
        if (thenThrow is not null) throw thenThrow;
    }

    private static async Task<(List<string?> Seen, string? Error)> ReadAll(IAsyncEnumerable<JSONMessage> messages)
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
            new JSONMessage { Stream = "Step 1/2" },
            new JSONMessage { Error = new JSONError { Code = 1, Message = "The command '/bin/sh -c false' returned a non-zero code: 1" } },
            new JSONMessage { Stream = "never read" },
        ]));
        Assert.Equal(["Step 1/2"], seen);
        Assert.Equal("The command '/bin/sh -c false' returned a non-zero code: 1", error);
    }

    [Fact]
    public async Task BrokenTransport_EndsReading_WithTheExceptionMessage()
    {
        var (seen, error) = await ReadAll(Stream([new JSONMessage { Stream = "a" }], new IOException("connection reset")));
        Assert.Equal(["a"], seen);
        Assert.Equal("connection reset", error);
    }

    [Fact]
    public async Task CleanEnd_LeavesNoError()
    {
        var (seen, error) = await ReadAll(Stream([new JSONMessage { Stream = "a" }, new JSONMessage { Stream = "b" }]));
        Assert.Equal(["a", "b"], seen);
        Assert.Null(error);
    }
}
