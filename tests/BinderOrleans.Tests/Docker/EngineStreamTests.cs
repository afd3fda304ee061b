using System.Text;
using BinderOrleans.Docker.Engine;

namespace BinderOrleans.Tests.Docker;

public sealed class EngineStreamTests
{
    [Fact]
    public async Task JsonMessageStream_BuildOutput_StreamAuxAndError()
    {
        const string body = "{\"stream\":\"Step 1/2 : FROM x\"}\r\n{\"stream\":\"\\n\"}\r\n\r\n"
            + "{\"aux\":{\"ID\":\"sha256:abc\"}}\r\n"
            + "{\"status\":\"Downloading\",\"id\":\"layer1\",\"progress\":\"[=>  ]\",\"progressDetail\":{\"current\":5,\"total\":10}}\r\n"
            + "{\"errorDetail\":{\"code\":1,\"message\":\"The command '/bin/sh -c false' returned a non-zero code: 1\"},\"error\":\"ignored\"}\r\n"
            + "not json\n";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));

        var messages = new List<JsonMessage>();
        await foreach (var m in JsonMessageStream.ReadAsync(stream, CancellationToken.None)) messages.Add(m);

        Assert.Equal(6, messages.Count);
        Assert.Equal("Step 1/2 : FROM x", messages[0].Stream);
        Assert.Equal("\n", messages[1].Stream);
        Assert.Equal("sha256:abc", messages[2].Aux!.Value.GetProperty("ID").GetString());
        Assert.Equal(10, messages[3].ProgressDetail!.Total);
        Assert.Equal("layer1", messages[3].Id);
        Assert.Null(messages[3].ErrorMessage);
        Assert.Equal("The command '/bin/sh -c false' returned a non-zero code: 1", messages[4].ErrorMessage);
        Assert.Equal("not json\n", messages[5].Stream);
    }

    [Fact]
    public void ErrorMessage_OnlyErrorField_Used() =>
        Assert.Equal("boom", JsonMessageStream.Parse("{\"error\":\"boom\"}").ErrorMessage);

    [Fact]
    public async Task MultiplexedStream_Frames_SplitByStreamAndInterleaved()
    {
        using var body = new MemoryStream();
        void Frame(byte kind, string text)
        {
            var payload = Encoding.UTF8.GetBytes(text);
            body.Write([kind, 0, 0, 0, 0, 0, (byte)(payload.Length >> 8), (byte)payload.Length]);
            body.Write(payload);
        }
        Frame(1, "out1\n");
        Frame(2, "err1\n");
        Frame(1, new string('x', 300));
        body.Position = 0;

        var (stdout, stderr, combined) = await MultiplexedStream.ReadAllAsync(body, CancellationToken.None);

        Assert.Equal("out1\n" + new string('x', 300), stdout);
        Assert.Equal("err1\n", stderr);
        Assert.Equal("out1\nerr1\n" + new string('x', 300), combined);
    }

    [Fact]
    public async Task MultiplexedStream_TruncatedFrame_Throws()
    {
        using var body = new MemoryStream([1, 0, 0, 0, 0, 0, 0, 10, (byte)'a']);

        await Assert.ThrowsAsync<EndOfStreamException>(() => MultiplexedStream.ReadAllAsync(body, CancellationToken.None));
    }

    [Theory]
    [InlineData("binderorleans-base:bookworm", "binderorleans-base:bookworm")]
    [InlineData("registry.example.org:5000/ns/img:tag", "registry.example.org:5000/ns/img:tag")]
    [InlineData("a b?c#d", "a%20b%3Fc%23d")]
    public void EscapePath_ImageNames_KeepSlashAndColon(string name, string expected) =>
        Assert.Equal(expected, DockerEngineClient.EscapePath(name));
}
