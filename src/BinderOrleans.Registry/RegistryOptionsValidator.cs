using BinderOrleans.Core.Options;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Registry;

/// <summary>Checks the registry settings at start, with messages naming the key to fix. Skipped when the registry is off.</summary>
internal sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    private readonly IOptions<SiteOptions> _site;

    public RegistryOptionsValidator(IOptions<SiteOptions> site) => _site = site;

    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Success;
        var failures = new List<string>();
        if (options.Attempts < 1) failures.Add("Registry:Attempts must be at least 1.");
        if (options.Timeout <= TimeSpan.Zero) failures.Add("Registry:Timeout must be positive.");
        if (options.RetryDelay < TimeSpan.Zero) failures.Add("Registry:RetryDelay must not be negative.");
        failures.AddRange(options.Retention.Validate("Registry:Retention"));
        if (string.IsNullOrWhiteSpace(_site.Value.ImagePrefix))
        {
            // Without a prefix naming the registry, the engine would push to Docker Hub.
            failures.Add("Registry:Enabled needs Binder:ImagePrefix naming the registry, e.g. '127.0.0.1:5000/binder/'.");
        }
        try
        {
            RegistryEndpoint.Resolve(options, DockerConfigFile.Load(DockerConfigFile.ResolvePath(options.DockerConfig)));
        }
        catch (FormatException ex)
        {
            failures.Add(ex.Message);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
