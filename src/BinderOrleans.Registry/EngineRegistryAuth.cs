using System.Text.Json.Nodes;

namespace BinderOrleans.Registry;

/// <summary>
/// The Docker Engine's <c>X-Registry-Auth</c> header for pushes and pulls: base64url JSON
/// <c>{username, password, serveraddress}</c>, or <c>{identitytoken, serveraddress}</c> after an OAuth <c>docker login</c>.
/// The engine answers token challenges itself with these. The value carries the password: never log it.
/// </summary>
public static class EngineRegistryAuth
{
    public const string HeaderName = "X-Registry-Auth";

    /// <summary>
    /// The header value for <paramref name="endpoint"/>. Without credentials it is still sent (as <c>{}</c>): the engine's
    /// push endpoint otherwise tries to read credentials from the request body and refuses the request.
    /// </summary>
    public static string Encode(RegistryEndpoint endpoint)
    {
        var json = new JsonObject();
        if (endpoint.HasBasicCredentials)
        {
            json["username"] = endpoint.Username ?? "";
            json["password"] = endpoint.Password ?? "";
            json["serveraddress"] = endpoint.HostAndPort;
        }
        else if (endpoint.IdentityToken is { Length: > 0 } identityToken)
        {
            json["identitytoken"] = identityToken;
            json["serveraddress"] = endpoint.HostAndPort;
        }
        // URL-safe alphabet with padding, as the docker CLI writes it: older engines decode with padding and silently
        // fall back to "no credentials" when it is missing.
        return Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())).Replace('+', '-').Replace('/', '_');
    }
}
