using BinderOrleans.Docker.Engine;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker;

/// <summary>Checks <see cref="DockerOptions"/> at start; every message names the key to fix.</summary>
internal sealed class DockerOptionsValidator : IValidateOptions<DockerOptions>
{
    /// <summary>The engine refuses smaller memory limits.</summary>
    private const long MinimumMemory = 6L << 20;

    public ValidateOptionsResult Validate(string? name, DockerOptions options)
    {
        var errors = new List<string>();
        if (!DockerEndpoint.TryParse(options.Host, out _, out var hostError))
        {
            errors.Add($"Docker:Host: {hostError}");
        }
        if (!Version.TryParse(options.ApiVersion, out _))
        {
            errors.Add($"Docker:ApiVersion must look like 1.41 (got '{options.ApiVersion}').");
        }
        if (string.IsNullOrWhiteSpace(options.NetworkMode))
        {
            errors.Add("Docker:NetworkMode must name a network mode, e.g. host.");
        }
        if (options.WorkDirectory.Length > 0 && !Path.IsPathFullyQualified(options.WorkDirectory))
        {
            errors.Add($"Docker:WorkDirectory must be an absolute path (got '{options.WorkDirectory}').");
        }
        if (string.IsNullOrWhiteSpace(options.ServerIp))
        {
            errors.Add("Docker:ServerIp must be an address, e.g. 127.0.0.1.");
        }
        if (Uri.CheckHostName(options.PublicHost) == UriHostNameType.Unknown)
        {
            errors.Add($"Docker:PublicHost must be a host name or address (got '{options.PublicHost}').");
        }
        if (string.IsNullOrWhiteSpace(options.ServerNetwork))
        {
            errors.Add("Docker:ServerNetwork must name a network, e.g. binderorleans, or host.");
        }
        if (options.MemoryLimitBytes is not { } memory || (memory != 0 && memory < MinimumMemory))
        {
            errors.Add($"Docker:MemoryLimit must be 0 or at least 6M, as bytes or with K, M, G or T, e.g. 2G (got '{options.MemoryLimit}').");
        }
        if (options.CpuLimit < 0 || double.IsNaN(options.CpuLimit) || (options.CpuLimit > 0 && options.CpuLimit < 0.01))
        {
            errors.Add($"Docker:CpuLimit must be 0 (no limit) or at least 0.01 cores (got {options.CpuLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        }
        if (options.PidsLimit < 0)
        {
            errors.Add($"Docker:PidsLimit must be 0 (no limit) or positive (got {options.PidsLimit}).");
        }
        if (options.UserId < 0)
        {
            errors.Add($"Docker:UserId must be a uid (0 or more), or empty for the image's own user (got {options.UserId}).");
        }
        if (options.MaxConcurrentStarts < 0)
        {
            errors.Add($"Docker:MaxConcurrentStarts must be 0 (no limit) or positive (got {options.MaxConcurrentStarts}).");
        }
        if (options.LaunchTimeout <= TimeSpan.Zero)
        {
            errors.Add("Docker:LaunchTimeout must be positive.");
        }
        if (options.CullIdleAfter <= TimeSpan.Zero)
        {
            errors.Add("Docker:CullIdleAfter must be positive.");
        }
        if (options.CullInterval <= TimeSpan.Zero)
        {
            errors.Add("Docker:CullInterval must be positive.");
        }
        errors.AddRange(options.ImageRetention.Validate("Docker:ImageRetention"));
        if (options.WarmImages < 0)
        {
            errors.Add($"Docker:WarmImages must be 0 (off) or a number of images (got {options.WarmImages}).");
        }
        if (options.WarmInterval <= TimeSpan.Zero)
        {
            errors.Add("Docker:WarmInterval must be positive.");
        }
        foreach (var key in options.Labels.Keys)
        {
            if (!DockerLabels.IsValidKey(key)) errors.Add($"Docker:Labels: '{key}' is not a valid label key.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
