using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>Checks <see cref="BuildpackOptions"/> at start; every message names the key to fix.</summary>
internal sealed class BuildpackOptionsValidator : IValidateOptions<BuildpackOptions>
{
    public ValidateOptionsResult Validate(string? name, BuildpackOptions options)
    {
        var errors = new List<string>();
        Url(errors, nameof(options.MicromambaUrl), options.MicromambaUrl, needsVersion: false);
        Url(errors, nameof(options.CondaChannelAlias), options.CondaChannelAlias, needsVersion: false);
        Url(errors, nameof(options.RDownloadUrl), options.RDownloadUrl, needsVersion: true);
        Url(errors, nameof(options.RPackageManagerUrl), options.RPackageManagerUrl, needsVersion: false);
        Url(errors, nameof(options.RStudioUrl), options.RStudioUrl, needsVersion: false);
        Url(errors, nameof(options.ShinyServerUrl), options.ShinyServerUrl, needsVersion: false);
        Sha256(errors, nameof(options.RStudioSha256), options.RStudioSha256);
        Sha256(errors, nameof(options.ShinyServerSha256), options.ShinyServerSha256);
        Url(errors, nameof(options.JuliaVersionsUrl), options.JuliaVersionsUrl, needsVersion: false);
        Url(errors, nameof(options.JuliaDownloadUrl), options.JuliaDownloadUrl, needsVersion: true);
        Url(errors, nameof(options.NixInstallerUrl), options.NixInstallerUrl, needsVersion: false);
        Url(errors, nameof(options.NixChannelUrl), options.NixChannelUrl, needsVersion: false);
        if (options.PipIndexUrl.Length > 0) Url(errors, nameof(options.PipIndexUrl), options.PipIndexUrl, needsVersion: false);
        if (options.CondaChannel.Length == 0 || options.CondaChannel.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$'))
        {
            errors.Add($"{BuildpackOptions.Section}:{nameof(options.CondaChannel)} must be a channel name such as conda-forge (got '{options.CondaChannel}').");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Sha256(List<string> errors, string key, string value)
    {
        if (value.Length > 0 && (value.Length != 64 || !value.All(char.IsAsciiHexDigit)))
        {
            errors.Add($"{BuildpackOptions.Section}:{key} must be 64 hexadecimal digits, or empty for no check (got '{value}').");
        }
    }

    private static void Url(List<string> errors, string key, string value, bool needsVersion)
    {
        // The URL is written into a Dockerfile RUN line in double quotes, so nothing the shell would expand may appear.
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$' or '`'))
        {
            errors.Add($"{BuildpackOptions.Section}:{key} must be an http or https URL (got '{value}').");
        }
        else if (needsVersion && !value.Contains("{version}", StringComparison.Ordinal))
        {
            errors.Add($"{BuildpackOptions.Section}:{key} must contain {{version}} (got '{value}').");
        }
    }
}
