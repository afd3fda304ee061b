using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace BinderOrleans.Testing;

/// <summary>
/// What a notebook page does with a kernel, without a browser: starts one through the REST API, connects to its
/// channels WebSocket with a browser's <c>Origin</c> (Jupyter checks it against <c>Host</c>), runs code and returns what
/// it printed.
/// </summary>
public static class JupyterKernelClient
{
    /// <param name="server">The server's base URL (its <c>base_url</c>, trailing slash).</param>
    /// <param name="origin">The <c>Origin</c> a page served from the same address would send.</param>
    /// <returns>The text of the first <c>stream</c> message (e.g. <c>42\n</c> for <c>print(6 * 7)</c>).</returns>
    public static async Task<string?> RunAsync(HttpClient http, Uri server, string token, string origin, string code, CancellationToken cancellationToken)
    {
        string kernel;
        using (var started = await http.PostAsync($"{server}api/kernels?token={token}", JsonContent.Create(new { name = "python3" }), cancellationToken).ConfigureAwait(false))
        {
            if (started.StatusCode != HttpStatusCode.Created) throw new HttpRequestException($"starting a kernel answered {(int)started.StatusCode}");
            kernel = (await started.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false)).GetProperty("id").GetString()!;
        }
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", origin);
        var ws = new UriBuilder(server)
        {
            Scheme = server.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
            Path = $"{server.AbsolutePath}api/kernels/{kernel}/channels",
            Query = $"token={token}",
        }.Uri;
        await socket.ConnectAsync(ws, cancellationToken).ConfigureAwait(false);
        var session = Guid.NewGuid().ToString("N");
        var execute = JsonSerializer.Serialize(new
        {
            header = new { msg_id = Guid.NewGuid().ToString("N"), username = "test", session, msg_type = "execute_request", version = "5.3", date = DateTime.UtcNow.ToString("O") },
            parent_header = new { },
            metadata = new { },
            content = new { code, silent = false, store_history = false, user_expressions = new { }, allow_stdin = false, stop_on_error = true },
            channel = "shell",
            buffers = Array.Empty<string>(),
        });
        await socket.SendAsync(Encoding.UTF8.GetBytes(execute), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);

        string? printed = null;
        var buffer = new byte[1 << 16];
        for (var frames = 0; printed is null && frames < 200; frames++)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close) break;
            if (result.MessageType != WebSocketMessageType.Text) continue;
            using var json = JsonDocument.Parse(message.ToArray());
            if (json.RootElement.GetProperty("msg_type").GetString() == "stream") printed = json.RootElement.GetProperty("content").GetProperty("text").GetString();
        }
        if (socket.State == WebSocketState.Open) await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken).ConfigureAwait(false);
        return printed;
    }
}
