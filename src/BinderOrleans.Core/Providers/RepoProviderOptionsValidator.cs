using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers;

/// <summary>Start-up check of a provider's spec rules: every pattern must compile; errors name the key to fix.</summary>
internal sealed class RepoProviderOptionsValidator<T>(string section, Func<T, IEnumerable<string>>? extra = null) : IValidateOptions<T>
    where T : RepoProviderOptions
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var errors = new List<string>();
        CheckAll(nameof(RepoProviderOptions.BannedSpecs), options.BannedSpecs);
        CheckAll(nameof(RepoProviderOptions.AllowedSpecs), options.AllowedSpecs);
        CheckAll(nameof(RepoProviderOptions.HighQuotaSpecs), options.HighQuotaSpecs);
        for (var i = 0; i < options.SpecConfig.Count; i++)
        {
            var rule = options.SpecConfig[i];
            if (SpecRules.Check(rule.Pattern) is { } problem) errors.Add($"{section}:SpecConfig:{i}:Pattern {problem}");
            if (rule.Config.Quota is < 0) errors.Add($"{section}:SpecConfig:{i}:Config:Quota must not be negative.");
        }
        if (extra is not null) errors.AddRange(extra(options));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void CheckAll(string key, List<string> patterns)
        {
            for (var i = 0; i < patterns.Count; i++)
            {
                if (SpecRules.Check(patterns[i]) is { } problem) errors.Add($"{section}:{key}:{i} {problem}");
            }
        }
    }
}
