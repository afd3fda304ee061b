using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers;

/// <summary><c>Providers:Enabled</c> may only name providers this build has.</summary>
internal sealed class RepoProvidersOptionsValidator(IEnumerable<IRepoProvider> providers) : IValidateOptions<RepoProvidersOptions>
{
    public ValidateOptionsResult Validate(string? name, RepoProvidersOptions options)
    {
        if (options.RefCacheSeconds is < 0 or > 3600)
        {
            return ValidateOptionsResult.Fail($"{RepoProvidersOptions.Section}:RefCacheSeconds must be between 0 and 3600 (seconds a resolved ref is reused); got {options.RefCacheSeconds}.");
        }
        if (options.Enabled is not { } enabled) return ValidateOptionsResult.Success;
        var known = providers.Select(p => p.Id).ToArray();
        var errors = enabled
            .Select((id, i) => (id, i))
            .Where(x => !known.Contains(x.id, StringComparer.Ordinal))
            .Select(x => $"{RepoProvidersOptions.Section}:Enabled:{x.i} names an unknown provider '{x.id}'; known: {string.Join(", ", known)}.")
            .ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
