using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.Data;

/// <summary>Start-up check of the shared data-repository settings; messages name the key.</summary>
internal sealed class DataRepositoryOptionsValidator : IValidateOptions<DataRepositoryOptions>
{
    public ValidateOptionsResult Validate(string? name, DataRepositoryOptions options)
    {
        var errors = new List<string>();
        const string s = DataRepositoryOptions.Section;
        if (!Uri.TryCreate(options.DoiBaseUrl, UriKind.Absolute, out var doi) || doi.Scheme is not ("https" or "http"))
        {
            errors.Add($"{s}:DoiBaseUrl must be an absolute http(s) URL such as {DataRepositoryOptions.DefaultDoiBaseUrl}.");
        }
        if (options.Data.MaxBytes <= 0) errors.Add($"{s}:Data:MaxBytes must be positive (bytes; default {DataLimits.DefaultMaxBytes}).");
        if (options.Data.MaxFileBytes <= 0) errors.Add($"{s}:Data:MaxFileBytes must be positive (bytes; default {DataLimits.DefaultMaxFileBytes}).");
        if (options.Data.MaxFiles <= 0) errors.Add($"{s}:Data:MaxFiles must be positive (default {DataLimits.DefaultMaxFiles}).");
        if (options.DataRequestTimeout <= TimeSpan.Zero) errors.Add($"{s}:DataRequestTimeout must be positive.");
        if (options.DownloadTimeout <= TimeSpan.Zero) errors.Add($"{s}:DownloadTimeout must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
