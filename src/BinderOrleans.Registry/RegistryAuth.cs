using Docker.DotNet.Models;

namespace BinderOrleans.Registry;

/// <summary>
/// The credentials the engine uses for a push or pull (Docker.DotNet sends them as <c>X-Registry-Auth</c>); the engine
/// answers the registry's token challenges itself. They carry the password: never log them.
/// </summary>
internal static class RegistryAuth
{
    /// <summary>Basic credentials, else an identity token (after an OAuth <c>docker login</c>), else none (still sent, as <c>{}</c>).</summary>
    public static AuthConfig For(RegistryEndpoint endpoint)
    {
        if (endpoint.HasBasicCredentials)
        {
            return new AuthConfig { Username = endpoint.Username ?? "", Password = endpoint.Password ?? "", ServerAddress = endpoint.HostAndPort };
        }
        if (endpoint.IdentityToken is { Length: > 0 } identityToken)
        {
            return new AuthConfig { IdentityToken = identityToken, ServerAddress = endpoint.HostAndPort };
        }
        return new AuthConfig();
    }
}
