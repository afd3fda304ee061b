using System.Text.Json;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Launches;
using BinderOrleans.JupyterHub.Api;

namespace BinderOrleans.JupyterHub.Launches;

/// <summary>
/// Counts the hub's running and starting servers (<c>GET users?state=active</c>, page by page); a server's image is its
/// <c>user_options.image</c>, so servers not started by BinderOrleans count for the total only.
/// </summary>
internal sealed class JupyterHubRunningServers : IRunningServers
{
    private const int PageSize = 200;
    private const int MaxPages = 500;

    private readonly JupyterHubApi _api;

    public JupyterHubRunningServers(JupyterHubApi api) => _api = api;

    public async Task<RunningServerList> ListAsync(CancellationToken cancellationToken)
    {
        var images = new List<string?>();
        var offset = 0;
        for (var page = 0; page < MaxPages; page++)
        {
            var response = await _api.ListActiveUsersAsync(offset, PageSize, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess) return RunningServerList.Failed($"listing users: {response.Describe(_api.ApiUri)}");
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(response.Body);
            }
            catch (JsonException ex)
            {
                return RunningServerList.Failed($"listing users: unreadable answer ({ex.Message})");
            }
            // Hubs before 2.0 ignore the pagination Accept header and answer a plain list.
            var items = root as JsonArray ?? root?["items"] as JsonArray;
            if (items is null) return RunningServerList.Failed("listing users: the answer has no user list");
            foreach (var user in items)
            {
                if (user?["servers"] is not JsonObject servers) continue;
                foreach (var (_, server) in servers)
                {
                    if (server is null || IsTrue(server["stopped"])) continue;
                    images.Add(server["user_options"]?["image"] is JsonValue v && v.TryGetValue<string>(out var image) ? image : null);
                }
            }
            var next = root is JsonObject ? root["_pagination"]?["next"] : null;
            if (next is not JsonObject || items.Count == 0) return new RunningServerList(images);
            offset = next["offset"] is JsonValue o && o.TryGetValue<int>(out var nextOffset) && nextOffset > offset ? nextOffset : offset + items.Count;
        }
        return RunningServerList.Failed($"listing users: more than {MaxPages * PageSize} active users");
    }

    private static bool IsTrue(JsonNode? node) => node?.GetValueKind() == JsonValueKind.True;
}
