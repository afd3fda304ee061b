using System.Text;
using System.Text.Json;

namespace BinderOrleans.Registry;

/// <summary>
/// The <c>auths</c> of a Docker <c>config.json</c> (what <c>docker login</c> writes and BinderHub's Helm chart mounts):
/// registry key → base64 <c>user:password</c> in <c>auth</c>, or <c>username</c>/<c>password</c>, or <c>identitytoken</c>.
/// Credential helpers (<c>credsStore</c>, <c>credHelpers</c>) are not run.
/// </summary>
internal sealed class DockerConfigFile
{
    /// <summary>Docker Hub's key in <c>auths</c>, and the registry URL it stands for (BinderHub maps one to the other).</summary>
    public const string DockerHubAuthKey = "https://index.docker.io/v1/";
    public const string DockerHubRegistryUrl = "https://registry-1.docker.io";

    private DockerConfigFile(string? path, IReadOnlyList<KeyValuePair<string, DockerAuth>> auths)
    {
        Path = path;
        Auths = auths;
    }

    /// <summary>The file read, or null when there was none.</summary>
    public string? Path { get; }

    /// <summary>Entries in file order (the first one is the default registry).</summary>
    public IReadOnlyList<KeyValuePair<string, DockerAuth>> Auths { get; }

    public static DockerConfigFile Empty { get; } = new(null, []);

    /// <summary>
    /// Where the file is: <paramref name="configured"/> is a folder holding <c>config.json</c>, or the file itself when it
    /// ends in <c>.json</c>; empty means <c>~/.docker/config.json</c>.
    /// </summary>
    public static string ResolvePath(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "config.json");
        }
        return configured.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? configured : System.IO.Path.Combine(configured, "config.json");
    }

    /// <summary>Reads the file; a missing file is an empty configuration, a malformed one throws <see cref="FormatException"/>.</summary>
    public static DockerConfigFile Load(string path)
    {
        if (!File.Exists(path)) return Empty;
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            // The message must not echo the file's content: it holds credentials.
            throw new FormatException($"The Docker config file {path} is not valid ({ex.GetType().Name}); fix it or point Registry:DockerConfig elsewhere.");
        }
    }

    internal static DockerConfigFile Parse(string json, string? path = null)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object
            || !doc.RootElement.TryGetProperty("auths", out var auths)
            || auths.ValueKind != JsonValueKind.Object)
        {
            return new DockerConfigFile(path, []);
        }
        var list = new List<KeyValuePair<string, DockerAuth>>();
        foreach (var entry in auths.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Object) continue;
            list.Add(new(entry.Name, ReadAuth(entry.Value)));
        }
        return new DockerConfigFile(path, list);
    }

    private static DockerAuth ReadAuth(JsonElement entry)
    {
        string? username = String(entry, "username");
        string? password = String(entry, "password");
        if (String(entry, "auth") is { Length: > 0 } encoded)
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = decoded.IndexOf(':');
            if (colon < 0) throw new FormatException("an auths entry's 'auth' is not base64 of user:password");
            username = decoded[..colon];
            password = decoded[(colon + 1)..];
        }
        return new DockerAuth(username, password, String(entry, "identitytoken"));
    }

    private static string? String(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// The registry URL the first <c>auths</c> key stands for: <c>https://</c> added to a bare host, Docker Hub's v1 key
    /// mapped to its registry. Null when the file has no entries.
    /// </summary>
    public string? DefaultRegistryUrl()
    {
        if (Auths.Count == 0) return null;
        var key = Auths[0].Key;
        var url = key.Contains("://", StringComparison.Ordinal) ? key : "https://" + key;
        return url.TrimEnd('/') == DockerHubAuthKey.TrimEnd('/') ? DockerHubRegistryUrl : url;
    }

    /// <summary>The entry for <paramref name="registryUrl"/>: keyed by the URL, by host[:port] with or without scheme, or Docker Hub's v1 key.</summary>
    public DockerAuth? Find(Uri registryUrl)
    {
        var hostPort = registryUrl.IsDefaultPort ? registryUrl.Host : $"{registryUrl.Host}:{registryUrl.Port}";
        foreach (var (key, auth) in Auths)
        {
            if (KeyHost(key) is { } host && string.Equals(host, hostPort, StringComparison.OrdinalIgnoreCase)) return auth;
        }
        if (registryUrl.Host.Equals(new Uri(DockerHubRegistryUrl).Host, StringComparison.OrdinalIgnoreCase))
        {
            foreach (var (key, auth) in Auths)
            {
                if (key.TrimEnd('/') == DockerHubAuthKey.TrimEnd('/')) return auth;
            }
        }
        return null;
    }

    private static string? KeyHost(string key)
    {
        var withScheme = key.Contains("://", StringComparison.Ordinal) ? key : "https://" + key;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri)) return null;
        // The key's own port counts only when it was written; "https://host" and "host" both mean the default port.
        return uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
    }
}

/// <summary>One <c>auths</c> entry.</summary>
internal sealed record DockerAuth(string? Username, string? Password, string? IdentityToken)
{
    // Records print every property; this one holds secrets.
    public override string ToString() => $"DockerAuth {{ Username = {Username} }}";
}
