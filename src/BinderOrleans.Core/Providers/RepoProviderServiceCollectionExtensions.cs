using BinderOrleans.Core.Options;
using BinderOrleans.Core.Outbound;
using BinderOrleans.Core.Providers.Gist;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Core.Providers.GitHub;
using BinderOrleans.Core.Providers.GitLab;
using BinderOrleans.Core.Providers.Data;
using BinderOrleans.Core.Providers.Zenodo;
using BinderOrleans.Core.Providers.Figshare;
using BinderOrleans.Core.Providers.Dataverse;
using BinderOrleans.Core.Providers.HydroShare;
using BinderOrleans.Core.Providers.Ckan;
using BinderOrleans.Core.Providers.Bitbucket;
using BinderOrleans.Core.Providers.Image;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers;

public static class RepoProviderServiceCollectionExtensions
{
    /// <summary>
    /// Registers the repository providers (section <c>Providers</c>): <c>gh</c> (<c>Providers:GitHub</c>), <c>gist</c>
    /// (<c>Providers:Gist</c>, using GitHub's API settings), <c>git</c> (<c>Providers:Git</c>) and <c>gl</c>
    /// (<c>Providers:GitLab</c>), each wrapped in its spec rules, plus <c>Binder:PerRepoQuota*</c> checks, and the
    /// <see cref="IGitRunner"/> every git process goes through and the <see cref="IGitRefLister"/> that lists refs without
    /// one (TryAdd: a test's fake registered first wins).
    /// </summary>
    public static IServiceCollection AddRepoProviders(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IGitRunner, GitCommand>();
        services.AddOutboundGuard();
        services.TryAddSingleton<GitPin>();
        // The hosts the operator configured are not user targets: fetches to exactly them are not checked.
        services.AddOptions<OutboundOptions>()
            .Configure<IOptions<GitHubProviderOptions>, IOptions<GistProviderOptions>, IOptions<GitLabProviderOptions>, IOptions<BitbucketProviderOptions>>(
                (o, github, gist, gitlab, bitbucket) =>
                {
                    o.AddOperatorEndpoint(github.Value.EffectiveApiBaseUrl);
                    o.AddOperatorEndpoint($"https://{github.Value.Hostname}/");
                    o.AddOperatorEndpoint($"https://{gist.Value.Hostname}/");
                    o.AddOperatorEndpoint(gitlab.Value.EffectiveApiBaseUrl);
                    o.AddOperatorEndpoint($"https://{gitlab.Value.Hostname}/");
                    o.AddOperatorEndpoint(bitbucket.Value.ApiBaseUrl);
                    o.AddOperatorEndpoint($"https://{bitbucket.Value.Hostname}/");
                })
            .Configure<IOptions<DataRepositoryOptions>, IOptions<ZenodoProviderOptions>, IOptions<FigshareProviderOptions>, IOptions<HydroShareProviderOptions>>(
                (o, data, zenodo, figshare, hydroshare) =>
                {
                    o.AddOperatorEndpoint(data.Value.DoiBaseUrl);
                    o.AddOperatorEndpoint(zenodo.Value.BaseUrl);
                    o.AddOperatorEndpoint(figshare.Value.ApiBaseUrl);
                    o.AddOperatorEndpoint(hydroshare.Value.BaseUrl);
                });
        services.AddOptions<RepoProvidersOptions>().BindConfiguration(RepoProvidersOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RepoProvidersOptions>, RepoProvidersOptionsValidator>();
        services.AddOptions<SiteOptions>()
            .Validate(o => o.PerRepoQuota >= 0, "Binder:PerRepoQuota must not be negative (0 = no limit).")
            .Validate(o => o.PerRepoQuotaHigher >= 0, "Binder:PerRepoQuotaHigher must not be negative (0 = no limit).");

        // Registration order is the default order of /api/repoproviders: BinderHub's gh, gist, git, gl, zenodo, figshare, hydroshare, dataverse, ckan.
        services.AddHttpClient(GitHubApiClient.HttpClientName);
        services.AddHttpClient(GitLabRepoProvider.HttpClientName);
        // A user's git URL: every connection of the in-process ref listing, redirects included, goes through the guard.
        services.AddHttpClient(GitRefClient.HttpClientName).UseOutboundGuard();
        services.TryAddSingleton<IGitRefLister, GitRefClient>();
        services.AddProvider<GitHubRepoProvider, GitHubProviderOptions>(GitHubProviderOptions.Section, ValidateGitHub);
        services.AddProvider<GistRepoProvider, GistProviderOptions>(GistProviderOptions.Section, ValidateGist);
        services.AddProvider<GitRepoProvider, GitProviderOptions>(GitProviderOptions.Section, ValidateGit);
        services.AddProvider<GitLabRepoProvider, GitLabProviderOptions>(GitLabProviderOptions.Section, ValidateGitLab);

        // The data repositories (BinderHub's zenodo, figshare, hydroshare, dataverse, ckan), each also the fetcher of its records.
        services.AddOptions<DataRepositoryOptions>().BindConfiguration(DataRepositoryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DataRepositoryOptions>, DataRepositoryOptionsValidator>();
        DataClient.Configure(services.AddHttpClient(DataClient.HttpClientName));
        services.TryAddSingleton<DataClient>();
        services.AddDataProvider<ZenodoRepoProvider, ZenodoProviderOptions>(ZenodoProviderOptions.Section,
            o => ValidateUrl(ZenodoProviderOptions.Section, "BaseUrl", o.BaseUrl, ZenodoProviderOptions.DefaultBaseUrl));
        services.AddDataProvider<FigshareRepoProvider, FigshareProviderOptions>(FigshareProviderOptions.Section,
            o => ValidateUrl(FigshareProviderOptions.Section, "ApiBaseUrl", o.ApiBaseUrl, FigshareProviderOptions.DefaultApiBaseUrl));
        services.AddDataProvider<HydroShareRepoProvider, HydroShareProviderOptions>(HydroShareProviderOptions.Section,
            o => ValidateUrl(HydroShareProviderOptions.Section, "BaseUrl", o.BaseUrl, HydroShareProviderOptions.DefaultBaseUrl));
        services.AddDataProvider<DataverseRepoProvider, DataverseProviderOptions>(DataverseProviderOptions.Section, ValidateDataverse);
        services.AddDataProvider<CkanRepoProvider, CkanProviderOptions>(CkanProviderOptions.Section, _ => []);

        // Beyond BinderHub.
        services.AddHttpClient(BitbucketRepoProvider.HttpClientName);
        services.AddProvider<BitbucketRepoProvider, BitbucketProviderOptions>(BitbucketProviderOptions.Section, o =>
            ValidateApi(BitbucketProviderOptions.Section, o.Hostname, BitbucketProviderOptions.DefaultHostname, o.ApiBaseUrl, BitbucketProviderOptions.DefaultApiBaseUrl, o.RequestTimeout));
        // Listed only with Providers:Image:AllowedPrefixes; without, it still answers: every spec refused with 403 naming the setting.
        services.AddProvider<ImageRepoProvider, ImageProviderOptions>(ImageProviderOptions.Section, ValidateImage);
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

    /// <summary>A provider that is also the <see cref="IContentFetcher"/> of its records (one instance for both).</summary>
    private static void AddDataProvider<TProvider, TOptions>(this IServiceCollection services, string section, Func<TOptions, IEnumerable<string>> validate)
        where TProvider : class, IRepoProvider, IContentFetcher
        where TOptions : RepoProviderOptions
    {
        services.AddProvider<TProvider, TOptions>(section, validate);
        services.AddSingleton<IContentFetcher>(sp => sp.GetRequiredService<TProvider>());
    }

    private static IEnumerable<string> ValidateUrl(string section, string key, string value, string example)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            yield return $"{section}:{key} must be an absolute http(s) URL such as {example}.";
        }
    }

    private static IEnumerable<string> ValidateDataverse(DataverseProviderOptions o)
    {
        for (var i = 0; i < o.AllowedHosts.Count; i++)
        {
            if (!IsHostName(o.AllowedHosts[i] ?? "")) yield return $"{DataverseProviderOptions.Section}:AllowedHosts:{i} must be a host name such as dataverse.harvard.edu.";
        }
    }

    private static IEnumerable<string> ValidateImage(ImageProviderOptions o)
    {
        for (var i = 0; i < o.AllowedPrefixes.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(o.AllowedPrefixes[i]) || o.AllowedPrefixes[i].Any(char.IsWhiteSpace))
            {
                yield return $"{ImageProviderOptions.Section}:AllowedPrefixes:{i} must be the start of an image reference such as registry.example.org/binder/ (no spaces).";
            }
        }
    }

    private static IEnumerable<string> ValidateGitHub(GitHubProviderOptions o) =>
        ValidateApi(GitHubProviderOptions.Section, o.Hostname, "github.com", o.EffectiveApiBaseUrl, "https://api.github.com", o.RequestTimeout);

    private static IEnumerable<string> ValidateGitLab(GitLabProviderOptions o) =>
        ValidateApi(GitLabProviderOptions.Section, o.Hostname, "gitlab.com", o.EffectiveApiBaseUrl, "https://gitlab.com", o.RequestTimeout);

    private static IEnumerable<string> ValidateGist(GistProviderOptions o)
    {
        if (!IsHostName(o.Hostname)) yield return $"{GistProviderOptions.Section}:Hostname must be a host name such as gist.github.com.";
    }

    /// <summary>The checks every API-backed provider shares: a host name, an http(s) API root, a positive timeout.</summary>
    private static IEnumerable<string> ValidateApi(string s, string hostname, string exampleHost, string apiBaseUrl, string exampleApi, TimeSpan timeout)
    {
        if (!IsHostName(hostname))
        {
            yield return $"{s}:Hostname must be a host name such as {exampleHost}.";
        }
        else if (!Uri.TryCreate(apiBaseUrl, UriKind.Absolute, out var api) || api.Scheme is not ("https" or "http"))
        {
            yield return $"{s}:ApiBaseUrl must be an absolute http(s) URL such as {exampleApi}.";
        }
        if (timeout <= TimeSpan.Zero) yield return $"{s}:RequestTimeout must be positive.";
    }

    private static bool IsHostName(string hostname) =>
        !string.IsNullOrWhiteSpace(hostname) && !hostname.Contains('/', StringComparison.Ordinal)
        && Uri.CheckHostName(hostname.Split(':')[0]) != UriHostNameType.Unknown;

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
