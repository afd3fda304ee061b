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
        if (options.MaxDownloadBytes <= 0) errors.Add($"{s}:MaxDownloadBytes must be positive (bytes; default {DataRepositoryOptions.DefaultMaxDownloadBytes}).");
        if (options.DataRequestTimeout <= TimeSpan.Zero) errors.Add($"{s}:DataRequestTimeout must be positive.");
        if (options.DownloadTimeout <= TimeSpan.Zero) errors.Add($"{s}:DownloadTimeout must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
