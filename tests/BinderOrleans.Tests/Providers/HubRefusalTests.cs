using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Tests.Providers;

/// <summary>
/// Issue 11 through the SignalR hub (spoken by hand: JSON hub protocol over a WebSocket): the same admission refuses a
/// hostile git spec with one 400 <c>failed</c> item, starts no session and builds no git command.
/// </summary>
public sealed class HubRefusalTests : IAsyncLifetime
{
    private const char RecordSeparator = '\u001e';
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly RecordingGitRunner _git = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Error" }, services =>
        {
            ResolveOnlyBackends.Use(services);
            services.RemoveAll<IGitRunner>();
            services.AddSingleton<IGitRunner>(_git);
            services.RemoveAll<IGitRefLister>();
            services.AddSingleton<IGitRefLister>(_git);
        }).WaitAsync(Timeout);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("git", "http%3A//127.0.0.1%3A9/x/HEAD", 400)]
    [InlineData("git", "gIt%3A/HEAD", 400)]
    [InlineData("git", "ssh%3A%2F%2F-oProxyCommand%3Dx%2Fr/main", 400)]
    [InlineData("nope", "a/b", 404)]
    public async Task HostileSpec_OverTheHub_IsOneFailedItem_WithoutASession(string provider, string spec, int status)
    {
        var sessions = _server.Services.GetRequiredService<LaunchSessionTable>();
        var before = sessions.Count;
        using var cts = new CancellationTokenSource(Timeout);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{_server.BaseUri.Authority}/hubs/build"), cts.Token);

        await SendAsync(socket, """{"protocol":"json","version":1}""", cts.Token);
        await SendAsync(socket, JsonSerializer.Serialize(new { type = 4, invocationId = "1", target = "Build", arguments = new[] { provider, spec } }), cts.Token);
        var items = new List<JsonElement>();
        await foreach (var message in ReceiveAsync(socket, cts.Token))
        {
            var type = message.TryGetProperty("type", out var t) ? t.GetInt32() : 0;
            if (type == 2) items.Add(message.GetProperty("item"));
            if (type == 3)
            {
                Assert.False(message.TryGetProperty("error", out _), message.ToString());
                break;
            }
        }

        var only = Assert.Single(items);
        Assert.Equal("failed", only.GetProperty("phase").GetString());
        Assert.Equal(status, only.GetProperty("status_code").GetInt32());
        Assert.Equal(before, sessions.Count);
        Assert.Empty(_git.Invocations);
    }

    private static Task SendAsync(ClientWebSocket socket, string json, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, ct);

    /// <summary>Hub messages (handshake answer and pings included) until the server closes.</summary>
    private static async IAsyncEnumerable<JsonElement> ReceiveAsync(ClientWebSocket socket, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close) yield break;
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            int end;
            while ((end = text.ToString().IndexOf(RecordSeparator)) >= 0)
            {
                var frame = text.ToString(0, end);
                text.Remove(0, end + 1);
                using var document = JsonDocument.Parse(frame);
                yield return document.RootElement.Clone();
            }
        }
    }
}
