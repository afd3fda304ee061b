namespace BinderOrleans.Registry;

/// <summary>
/// The registry as configured: <c>Registry:*</c> settings completed from the Docker config file the way BinderHub does.
/// <see cref="ToString"/> never shows the password.
/// </summary>
public sealed class RegistryEndpoint
{
    internal RegistryEndpoint(Uri url, Uri? tokenUrl, string? username, string? password, string? identityToken, bool notFoundOn401)
    {
        Url = url;
        TokenUrl = tokenUrl;
        Username = username;
        Password = password;
        IdentityToken = identityToken;
        NotFoundOn401 = notFoundOn401;
    }

    /// <summary>Base URL, without a trailing slash in <see cref="Display"/>.</summary>
    public Uri Url { get; }

    /// <summary>Token endpoint asked before every lookup, when set.</summary>
    public Uri? TokenUrl { get; }

    public string? Username { get; }

    public string? Password { get; }

    /// <summary>An OAuth refresh token from <c>docker login</c> (config.json <c>identitytoken</c>); used only for pushes and pulls.</summary>
    public string? IdentityToken { get; }

    public bool NotFoundOn401 { get; }

    public bool HasBasicCredentials => !string.IsNullOrEmpty(Username) || !string.IsNullOrEmpty(Password);

    /// <summary>How messages name the registry: its URL.</summary>
    public string Display => Url.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary><c>host[:port]</c>, as the engine's <c>serveraddress</c> and image names spell it.</summary>
    public string HostAndPort => Url.IsDefaultPort ? Url.Host : $"{Url.Host}:{Url.Port}";

    public override string ToString() => Username is { Length: > 0 } ? $"{Display} (user {Username})" : Display;

    /// <summary>Completes the options from the Docker config file; throws <see cref="FormatException"/> naming the key to fix.</summary>
    internal static RegistryEndpoint Resolve(RegistryOptions options, DockerConfigFile dockerConfig)
    {
        var urlText = options.Url is { Length: > 0 } configured ? configured : dockerConfig.DefaultRegistryUrl();
        if (string.IsNullOrWhiteSpace(urlText))
        {
            throw new FormatException("Registry:Url is not set and the Docker config file has no 'auths' entry to take it from.");
        }
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new FormatException($"Registry:Url must be an absolute http or https URL (got '{urlText}').");
        }

        Uri? tokenUrl = null;
        var tokenText = options.TokenUrl is { Length: > 0 } t ? t : DefaultTokenUrl(url.Host);
        if (tokenText is { Length: > 0 } && (!Uri.TryCreate(tokenText, UriKind.Absolute, out tokenUrl) || tokenUrl.Scheme is not ("http" or "https")))
        {
            throw new FormatException($"Registry:TokenUrl must be an absolute http or https URL (got '{tokenText}').");
        }

        string? username, password, identityToken = null;
        if (options.Username is { Length: > 0 } || options.Password is { Length: > 0 })
        {
            (username, password) = (options.Username, options.Password);
        }
        else
        {
            var auth = dockerConfig.Find(url);
            (username, password, identityToken) = (auth?.Username, auth?.Password, auth?.IdentityToken);
        }

        var notFoundOn401 = options.NotFoundOn401 ?? IsDockerHub(url.Host);
        return new RegistryEndpoint(url, tokenUrl, username, password, identityToken, notFoundOn401);
    }

    /// <summary>BinderHub's defaults: gcr.io and Docker Hub have well-known token endpoints; other registries none.</summary>
    internal static string? DefaultTokenUrl(string host)
    {
        if (host.Equals("gcr.io", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".gcr.io", StringComparison.OrdinalIgnoreCase))
        {
            return $"https://{host}/v2/token?service={host}";
        }
        return IsDockerHub(host) ? "https://auth.docker.io/token?service=registry.docker.io" : null;
    }

    private static bool IsDockerHub(string host) => host.EndsWith(".docker.io", StringComparison.OrdinalIgnoreCase);
}
