using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.JupyterHub.Auth;

/// <summary>
/// Asks the hub whose token this is (<c>GET {ApiUrl}user</c> with <c>Authorization: token …</c>), as JupyterHub's
/// <c>HubAuth.user_for_token</c> does, and checks the access scopes. Answers are reused for
/// <c>JupyterHub:Auth:TokenCacheDuration</c>, keyed by the token's SHA-256; concurrent checks of one token make one call.
/// A hub that does not answer is not cached.
/// </summary>
public sealed partial class HubIdentity : IDisposable
{
    private const int MaxEntries = 10_000;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly HubAuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<HubIdentity> _logger;
    private readonly ConcurrentDictionary<string, (Task<HubTokenCheck> Check, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public HubIdentity(IOptions<JupyterHubOptions> hub, IOptions<HubAuthOptions> options, TimeProvider time, ILogger<HubIdentity> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
        {
            BaseAddress = hub.Value.ApiUri,
            Timeout = RequestTimeout,
        };
    }

    /// <summary>The user a hub token belongs to, if the hub knows it and it carries an access scope.</summary>
    public Task<HubTokenCheck> CheckAsync(string token, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Expires > now) return cached.Check.WaitAsync(cancellationToken);
        if (_cache.Count >= MaxEntries)
        {
            foreach (var (k, v) in _cache)
            {
                if (v.Expires <= now) _cache.TryRemove(k, out _);
            }
        }
        var fresh = new Lazy<Task<HubTokenCheck>>(() => AskHubAsync(token));
        var entry = _cache.AddOrUpdate(key, _ => (fresh.Value, now + _options.TokenCacheDuration),
            (_, old) => old.Expires > now ? old : (fresh.Value, now + _options.TokenCacheDuration));
        var check = entry.Check;
        _ = check.ContinueWith(t =>
        {
            // Only verdicts are kept; an unanswered question is asked again next time.
            if (t.IsFaulted || t.Result.HubUnavailable) _cache.TryRemove(new KeyValuePair<string, (Task<HubTokenCheck>, DateTimeOffset)>(key, entry));
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return check.WaitAsync(cancellationToken);
    }

    private async Task<HubTokenCheck> AskHubAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "user");
        request.Headers.Authorization = new AuthenticationHeaderValue("token", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await _http.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
            if ((int)response.StatusCode is 401 or 403 or 404) return HubTokenCheck.Refused("The hub does not accept this token.");
            if (!response.IsSuccessStatusCode)
            {
                LogHubFailed((int)response.StatusCode);
                return HubTokenCheck.Unavailable($"The hub could not check the token (it answered {(int)response.StatusCode}).");
            }
            if (Parse(body) is not { } user) return HubTokenCheck.Unavailable("The hub's answer about the token could not be read.");
            if (!HubScopes.Grants(user.Scopes, _options.EffectiveAccessScopes))
            {
                LogMissingScope(user.Name);
                return HubTokenCheck.Refused($"This token of {user.Name} does not grant {_options.EffectiveAccessScopes[0]}.");
            }
            return HubTokenCheck.Accepted(user);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            LogHubUnreachable(ex.Message);
            return HubTokenCheck.Unavailable("The hub could not be reached to check the token.");
        }
    }

    /// <summary>Reads the hub's user model; a token of a service (kind <c>service</c>) has a name too.</summary>
    internal static HubUser? Parse(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is not JsonObject model || model["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var name))
            {
                return null;
            }
            var scopes = (model["scopes"] as JsonArray)?.Select(s => s is JsonValue v && v.TryGetValue<string>(out var text) ? text : null)
                .OfType<string>().ToList() ?? [];
            var admin = model["admin"]?.GetValueKind() == JsonValueKind.True;
            return new HubUser(name, scopes, admin);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hub answered {Status} when asked about a token")]
    private partial void LogHubFailed(int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hub could not be reached to check a token: {Reason}")]
    private partial void LogHubUnreachable(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "A token of hub user {User} lacks the access scope")]
    private partial void LogMissingScope(string user);
}
