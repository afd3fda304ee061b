using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Core.Providers.GitHub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers;

public static class RepoProviderServiceCollectionExtensions
{
    /// <summary>
    /// Registers the repository providers (section <c>Providers</c>): <c>gh</c> (<c>Providers:GitHub</c>) and
    /// <c>git</c> (<c>Providers:Git</c>), each wrapped in its spec rules, plus <c>Binder:PerRepoQuota*</c> checks.
    /// </summary>
    public static IServiceCollection AddRepoProviders(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<RepoProvidersOptions>().BindConfiguration(RepoProvidersOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RepoProvidersOptions>, RepoProvidersOptionsValidator>();
        services.AddOptions<SiteOptions>()
            .Validate(o => o.PerRepoQuota >= 0, "Binder:PerRepoQuota must not be negative (0 = no limit).")
            .Validate(o => o.PerRepoQuotaHigher >= 0, "Binder:PerRepoQuotaHigher must not be negative (0 = no limit).");

        // Registration order is the default order of /api/repoproviders (BinderHub lists gh before git).
        services.AddHttpClient(GitHubRepoProvider.HttpClientName);
        services.AddProvider<GitHubRepoProvider, GitHubProviderOptions>(GitHubProviderOptions.Section, ValidateGitHub);
        services.AddProvider<GitRepoProvider, GitProviderOptions>(GitProviderOptions.Section, ValidateGit);
        return services;
    }

    private static void AddProvider<TProvider, TOptions>(this IServiceCollection services, string section,
        Func<TOptions, IEnumerable<string>> validate)
        where TProvider : class, IRepoProvider
        where TOptions : RepoProviderOptions
    {
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new RepoProviderOptionsValidator<TOptions>(section, validate));
        services.TryAddSingleton<TProvider>();
        services.AddSingleton<IRepoProvider>(sp => new SpecRulesProvider(
            sp.GetRequiredService<TProvider>(),
            SpecRules.Create(sp.GetRequiredService<IOptions<TOptions>>().Value),
            sp.GetRequiredService<IOptions<SiteOptions>>().Value));
    }

    private static IEnumerable<string> ValidateGitHub(GitHubProviderOptions o)
    {
        const string s = GitHubProviderOptions.Section;
        if (string.IsNullOrWhiteSpace(o.Hostname) || o.Hostname.Contains('/', StringComparison.Ordinal) || Uri.CheckHostName(o.Hostname.Split(':')[0]) == UriHostNameType.Unknown)
        {
            yield return $"{s}:Hostname must be a host name such as github.com.";
        }
        else if (!Uri.TryCreate(o.EffectiveApiBaseUrl, UriKind.Absolute, out var api) || api.Scheme is not ("https" or "http"))
        {
            yield return $"{s}:ApiBaseUrl must be an absolute http(s) URL such as https://api.github.com.";
        }
        if (o.RequestTimeout <= TimeSpan.Zero) yield return $"{s}:RequestTimeout must be positive.";
    }

    private static IEnumerable<string> ValidateGit(GitProviderOptions o)
    {
        if (o.LsRemoteTimeout <= TimeSpan.Zero) yield return $"{GitProviderOptions.Section}:LsRemoteTimeout must be positive.";
        var schemes = o.AllowedSchemes ?? [];
        for (var i = 0; i < schemes.Count; i++)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(schemes[i] ?? "", "^[A-Za-z][A-Za-z0-9+.-]*$"))
            {
                yield return $"{GitProviderOptions.Section}:AllowedSchemes:{i} '{schemes[i]}' is not a URL scheme (such as https).";
            }
            else if (schemes[i].Equals("ext", StringComparison.OrdinalIgnoreCase) || schemes[i].Equals("fd", StringComparison.OrdinalIgnoreCase))
            {
                yield return $"{GitProviderOptions.Section}:AllowedSchemes:{i} '{schemes[i]}' runs commands or reads descriptors and is never allowed.";
            }
        }
    }
}
