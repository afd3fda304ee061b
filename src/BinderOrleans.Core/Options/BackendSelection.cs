using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Options;

/// <summary>
/// The backends chosen by configuration, read once while services are registered: <c>Build:Backend</c>
/// (<c>docker</c> or <c>kubernetes</c>), <c>Launch:Backend</c> (<c>docker</c> or <c>jupyterhub</c>) and
/// <c>Registry:Enabled</c>. Unset means docker, docker and false; names are case-insensitive.
/// </summary>
public sealed record BackendSelection(BuildBackend Build, LaunchBackend Launch, ImageSource Images)
{
    public const string BuildKey = "Build:Backend";
    public const string LaunchKey = "Launch:Backend";
    public const string RegistryKey = "Registry:Enabled";

    /// <summary>Whether built images are pushed to, and launched images pulled from, a registry.</summary>
    public bool UsesRegistry => Images == ImageSource.Registry;

    /// <summary>The lower-case name the configuration uses, e.g. <c>jupyterhub</c>.</summary>
    public static string NameOf<TBackend>(TBackend backend) where TBackend : struct, Enum =>
        backend.ToString().ToLowerInvariant();

    /// <exception cref="OptionsValidationException">A value is not one of the names; the message names the key.</exception>
    public static BackendSelection Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var failures = new List<string>();
        var build = Parse(configuration, BuildKey, BuildBackend.Docker, failures);
        var launch = Parse(configuration, LaunchKey, LaunchBackend.Docker, failures);
        var registry = false;
        if (configuration[RegistryKey] is { Length: > 0 } value && !bool.TryParse(value, out registry))
        {
            failures.Add($"{RegistryKey} must be true or false (was '{value}').");
        }
        if (failures.Count > 0) throw new OptionsValidationException(nameof(BackendSelection), typeof(BackendSelection), failures);
        return new BackendSelection(build, launch, registry ? ImageSource.Registry : ImageSource.LocalEngine);
    }

    private static TBackend Parse<TBackend>(IConfiguration configuration, string key, TBackend fallback, List<string> failures)
        where TBackend : struct, Enum
    {
        var value = configuration[key];
        if (string.IsNullOrEmpty(value)) return fallback;
        foreach (var backend in Enum.GetValues<TBackend>())
        {
            if (string.Equals(NameOf(backend), value, StringComparison.OrdinalIgnoreCase)) return backend;
        }
        failures.Add($"{key} must be {string.Join(" or ", Enum.GetValues<TBackend>().Select(b => $"'{NameOf(b)}'"))} (was '{value}').");
        return fallback;
    }
}
