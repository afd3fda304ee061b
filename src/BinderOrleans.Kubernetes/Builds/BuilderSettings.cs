using Microsoft.Extensions.Configuration;

namespace BinderOrleans.Kubernetes.Builds;

/// <summary>
/// The service's settings a buildpacks build pod gets as environment variables (<c>Section__Key</c>), so it builds
/// what the service would: the base image and buildpack sources (<c>Build:BaseImage</c>, <c>Buildpacks:*</c>), what may
/// be fetched (<c>Providers:*</c>, <c>Security:AllowedTargetNetworks</c>), how the engine builds
/// (<c>Docker:NetworkMode</c>, <c>Docker:Labels:*</c>) and where it pushes (<c>Registry:Url</c>, <c>Registry:TokenUrl</c>,
/// <c>Registry:NotFoundOn401</c>). Never a credential (a pod's spec is readable by whoever may list pods): keys naming a
/// token, secret, password, key or credentials stay out; the push secret carries the registry's, <c>GIT_CREDENTIAL_ENV</c>
/// a repository's.
/// </summary>
internal static class BuilderSettings
{
    private static readonly string[] Forwarded =
    [
        "Build:BaseImage", "Buildpacks", "Providers", "Security:AllowedTargetNetworks", "Docker:NetworkMode", "Docker:Labels",
        "Registry:Url", "Registry:TokenUrl", "Registry:NotFoundOn401",
    ];

    private static readonly string[] SecretWords = ["token", "secret", "password", "credential", "key"];

    /// <summary>Configuration key → value of the forwarded settings that have a value.</summary>
    public static Dictionary<string, string> From(IConfiguration? configuration)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (configuration is null) return settings;
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is null || !IsForwarded(key) || IsSecret(key)) continue;
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>The environment variable .NET configuration reads as <paramref name="key"/>.</summary>
    public static string VariableName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static bool IsForwarded(string key) =>
        Forwarded.Any(p => key.Equals(p, StringComparison.OrdinalIgnoreCase) || key.StartsWith(p + ":", StringComparison.OrdinalIgnoreCase));

    private static bool IsSecret(string key)
    {
        // Registry:TokenUrl is where a token is fetched, not a token; labels are the operator's own names.
        if (key.Equals("Registry:TokenUrl", StringComparison.OrdinalIgnoreCase) || key.StartsWith("Docker:Labels:", StringComparison.OrdinalIgnoreCase)) return false;
        var segments = key.Split(':');
        // List entries (Providers:Git:AllowedSchemes:0) are judged by the list's name.
        var name = segments.Length > 1 && int.TryParse(segments[^1], out _) ? segments[^2] : segments[^1];
        return SecretWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase));
    }
}
