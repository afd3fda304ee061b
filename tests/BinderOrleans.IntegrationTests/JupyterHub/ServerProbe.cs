namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>Asks a launched notebook server, through the hub's proxy, whether it is up.</summary>
internal static class ServerProbe
{
    // No cookies: the notebook's login cookie from a request with the token would let a later request in without it.
    private static readonly HttpClient Client = new(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>Status of <c>GET {url}api/status[?token=…]</c>.</summary>
    public static async Task<(int Status, string Body)> StatusAsync(string url, string? token)
    {
        var target = url + "api/status" + (token is null ? "" : "?token=" + Uri.EscapeDataString(token));
        using var response = await Client.GetAsync(new Uri(target));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
