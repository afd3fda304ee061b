using System.Net.Http.Headers;
using System.Text.Json;

namespace BinderOrleans.Core.Providers;

/// <summary>
/// The HTTP plumbing of the API-backed providers that have no client library (GitLab): one bounded call, JSON bodies.
/// GitHub and gists go through Octokit (<see cref="GitHub.GitHubApiClient"/>).
/// </summary>
internal static class ProviderHttp
{
    /// <summary>
    /// Sends <paramref name="request"/> and buffers the answer, giving up after <paramref name="timeout"/>; timeouts and
    /// network failures are values. <paramref name="apiName"/> (e.g. <c>GitHub API</c>) names the API in messages.
    /// </summary>
    public static async Task<ApiAnswer> SendAsync(HttpClient client, HttpRequestMessage request, string apiName, TimeSpan timeout,
        TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            return new ApiAnswer.Answered(response);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new ApiAnswer.Unanswered($"the {apiName} did not answer within {timeout.TotalSeconds:0} seconds.", 504, null);
        }
        catch (HttpRequestException ex)
        {
            return new ApiAnswer.Unanswered($"could not reach the {apiName}: {ex.Message}", 502, ex);
        }
    }

    /// <summary>BinderHub's user agent (some APIs refuse requests without one), naming us after it.</summary>
    public static void AddUserAgent(HttpRequestMessage request)
    {
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("BinderHub", null));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("(BinderOrleans)"));
    }

    /// <summary>The (buffered) body as a JSON object; null when it is not one.</summary>
    public static async Task<JsonDocument?> ReadObjectAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (json.RootElement.ValueKind == JsonValueKind.Object) return json;
            json.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string property of a JSON object, or null.</summary>
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
