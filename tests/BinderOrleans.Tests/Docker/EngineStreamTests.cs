using System.Text;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Testing;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BinderOrleans.Tests.Docker;

/// <summary>
/// The engine's streamed build answer read through Docker.DotNet and our stream adapter, from a fake engine on
/// loopback that speaks the real wire format (chunked JSON lines, tar request body).
/// </summary>
public sealed class EngineStreamTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private const string BuildOutput = "{\"stream\":\"Step 1/2 : FROM x\"}\r\n{\"stream\":\"\\n\"}\r\n\r\n"
        + "{\"aux\":{\"ID\":\"sha256:abc\"}}\r\n"
        + "{\"status\":\"Downloading\",\"id\":\"layer1\",\"progress\":\"[=>  ]\",\"progressDetail\":{\"current\":5,\"total\":10}}\r\n"
        + "{\"errorDetail\":{\"code\":1,\"message\":\"The command '/bin/sh -c false' returned a non-zero code: 1\"},\"error\":\"ignored\"}\r\n";

    /// <summary>A fake engine whose <c>POST /build</c> reads the whole tar, then runs <paramref name="answer"/>.</summary>
    private static async Task<(WebApplication App, IDockerClient Client, Func<long> ContextBytes)> FakeEngineAsync(Func<HttpContext, Task> answer)
    {
        var app = LoopbackHost.CreateBuilder().Build();
        long received = 0;
        app.MapPost("/v1.41/build", async context =>
        {
            var buffer = new byte[8192];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0) Interlocked.Add(ref received, read);
            context.Response.ContentType = "application/json";
            await answer(context);
        });
        var address = await LoopbackHost.StartAsync(app);
        var client = DockerClientFactory.Create(new DockerOptions { Host = $"tcp://127.0.0.1:{address.Port}" });
        return (app, client, () => Interlocked.Read(ref received));
    }

    private static async Task<List<JSONMessage>> ReadAllAsync(IDockerClient client, byte[] context)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var messages = new List<JSONMessage>();
        await foreach (var m in client.BuildImageAsync(new MemoryStream(context), new ImageBuildParameters { Tags = ["x:1"] }, timeout.Token))
        {
            messages.Add(m);
        }
        return messages;
    }

    [Fact]
    public async Task BuildImageAsync_EngineOutput_StreamAuxProgressAndErrorInOrder()
    {
        var (app, client, contextBytes) = await FakeEngineAsync(c => c.Response.WriteAsync(BuildOutput));
        await using var _ = app;
        using var __ = client;

        var messages = await ReadAllAsync(client, new byte[20_000]);

        Assert.Equal(20_000, contextBytes());
        Assert.Equal(5, messages.Count);
        Assert.Equal("Step 1/2 : FROM x", messages[0].Stream);
        Assert.Equal("\n", messages[1].Stream);
        Assert.NotNull(messages[2].Aux);
        Assert.Equal(10, messages[3].Progress!.Total);
        Assert.Equal("layer1", messages[3].ID);
        Assert.Null(EngineMessageReader.ErrorOf(messages[3]));
        Assert.Equal("The command '/bin/sh -c false' returned a non-zero code: 1", EngineMessageReader.ErrorOf(messages[4]));
    }

    [Fact]
    public async Task BuildImageAsync_EngineCutsTheConnection_ReaderReportsEngineLostNamingIt()
    {
        var (app, client, _) = await FakeEngineAsync(async c =>
        {
            await c.Response.WriteAsync("{\"stream\":\"Step 1/2 : FROM x\\n\"}\r\n");
            await c.Response.Body.FlushAsync();
            c.Abort();
        });
        await using var __ = app;
        using var ___ = client;
        using var timeout = new CancellationTokenSource(Timeout);

        var seen = new List<string?>();
        await using var reader = new EngineMessageReader(
            client.BuildImageAsync(new MemoryStream(new byte[512]), new ImageBuildParameters { Tags = ["x:1"] }, timeout.Token), timeout.Token);
        while (await reader.ReadAsync()) seen.Add(reader.Current.Stream);

        // The line sent before the cut may or may not be delivered before the cut is seen; nothing else may be.
        Assert.All(seen, line => Assert.Equal("Step 1/2 : FROM x\n", line));
        Assert.True(reader.EngineLost);
        Assert.Contains("Docker engine", reader.Error);
    }

    [Fact]
    public async Task Calls_EngineRefuses_OneExceptionWithTheEnginesMessage()
    {
        var app = LoopbackHost.CreateBuilder().Build();
        app.MapPost("/v1.41/containers/create", () => Results.Json(new { message = "Invalid container name (x y)" }, statusCode: 400));
        var address = await LoopbackHost.StartAsync(app);
        await using var _ = app;
        using var client = DockerClientFactory.Create(new DockerOptions { Host = $"tcp://127.0.0.1:{address.Port}" });
        using var timeout = new CancellationTokenSource(Timeout);

        var error = await Assert.ThrowsAsync<DockerEngineException>(() =>
            client.CreateContainerAsync(new CreateContainerParameters { Image = "x", Name = "x y" }, timeout.Token));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(error.Unavailable);
        Assert.Equal("Docker engine refused to create container: 400 Invalid container name (x y)", error.Message);
    }

    [Fact]
    public async Task Calls_NothingListens_UnavailableNamingTheEngine()
    {
        using var client = DockerClientFactory.Create(new DockerOptions { Host = "unix:///nonexistent/binderorleans-unit.sock" });
        using var timeout = new CancellationTokenSource(Timeout);

        var error = await Assert.ThrowsAsync<DockerEngineException>(() => client.FindImageAsync("x:1", timeout.Token));

        Assert.True(error.Unavailable);
        Assert.StartsWith("Cannot reach the Docker engine at unix:///nonexistent/binderorleans-unit.sock", error.Message);
    }
}
