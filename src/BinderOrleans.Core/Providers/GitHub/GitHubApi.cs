using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace BinderOrleans.Core.Providers.GitHub;

/// <summary>What the <c>gh</c> and <c>gist</c> providers both do with GitHub's REST API: headers, auth, the rate limit.</summary>
internal static class GitHubApi
{
    public const string HttpClientName = "BinderOrleans.GitHub";

    public const string Name = "GitHub API";

    /// <summary>A GET with BinderHub's user agent and the configured credentials (token, else OAuth app id and secret).</summary>
    public static HttpRequestMessage CreateRequest(GitHubProviderOptions options, string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        ProviderHttp.AddUserAgent(request);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        if (options.AccessToken.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("token", options.AccessToken);
        }
        else if (options.ClientId.Length > 0 && options.ClientSecret.Length > 0)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.ClientId}:{options.ClientSecret}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }
        return request;
    }

    /// <summary>Time until the rate limit resets when <paramref name="response"/> says it is spent (403 with none remaining, or 429); else null.</summary>
    public static TimeSpan? SpentRateLimitReset(HttpResponseMessage response, DateTimeOffset now)
    {
        var status = (int)response.StatusCode;
        var spent = status == 403 && ProviderHttp.Header(response, "x-ratelimit-remaining") == "0";
        if (!spent && status != 429) return null;

        long seconds;
        if (long.TryParse(ProviderHttp.Header(response, "x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset))
        {
            seconds = reset - now.ToUnixTimeSeconds();
        }
        else if (response.Headers.RetryAfter?.Delta is { } delta)
        {
            seconds = (long)delta.TotalSeconds;
        }
        else
        {
            seconds = 0;
        }
        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }

    /// <summary>BinderHub's message when the rate limit is spent: minutes to the reset, rounded up to the next 5.</summary>
    public static string RateLimitMessage(TimeSpan reset) =>
        $"GitHub rate limit exceeded. Try again in {5 * (1 + (long)reset.TotalSeconds / 60 / 5)} minutes.";
}
