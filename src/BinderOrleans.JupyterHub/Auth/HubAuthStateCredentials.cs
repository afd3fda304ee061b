using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Providers;
using BinderOrleans.JupyterHub.Api;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.JupyterHub.Auth;

/// <summary>
/// A logged-in user's repository credentials from the hub (<c>JupyterHub:Auth:RepoCredentials</c>): JupyterHub 3 includes
/// <c>auth_state</c> in <c>GET /hub/api/users/{name}</c> when the service's token holds <c>admin:auth_state</c> and the hub
/// runs with <c>enable_auth_state</c>. The state is kept in memory for <c>JupyterHub:Auth:TokenCacheDuration</c>, per user;
/// no token is ever logged.
/// </summary>
internal sealed partial class HubAuthStateCredentials(JupyterHubApi hub, IOptions<HubAuthOptions> options, TimeProvider time,
    ILogger<HubAuthStateCredentials> logger) : IRepoCredentials
{
    private const int MaxEntries = 10_000;
    private readonly HubAuthOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, (Task<JsonObject?> State, DateTimeOffset Expires)> _states = new(StringComparer.Ordinal);
    private int _warnedNoState;

    public async Task<RepoCredential?> FindAsync(string user, string repoUrl, CancellationToken cancellationToken)
    {
        if (_options.RepoCredentials.FirstOrDefault(r => r.Matches(repoUrl)) is not { } rule) return null;
        var state = await AuthStateAsync(user).WaitAsync(cancellationToken).ConfigureAwait(false);
        var token = state is null ? null : Lookup(state, rule.AuthStateKey);
        if (token is null) return null;
        var credential = RepoCredential.TryCreate(rule.Username, token);
        if (credential is null) LogUnusableToken(user, rule.AuthStateKey);
        return credential;
    }

    /// <summary>A key, or a dotted path of keys, whose value is a string.</summary>
    internal static string? Lookup(JsonObject state, string path)
    {
        JsonNode? node = state;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var next) ? next : null;
            if (node is null) return null;
        }
        return node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
    }

    private Task<JsonObject?> AuthStateAsync(string user)
    {
        var now = time.GetUtcNow();
        if (_states.TryGetValue(user, out var cached) && cached.Expires > now) return cached.State;
        if (_states.Count >= MaxEntries)
        {
            foreach (var (k, v) in _states)
            {
                if (v.Expires <= now) _states.TryRemove(k, out _);
            }
        }
        var fresh = new Lazy<Task<JsonObject?>>(() => AskHubAsync(user));
        var entry = _states.AddOrUpdate(user, _ => (fresh.Value, now + _options.TokenCacheDuration),
            (_, old) => old.Expires > now ? old : (fresh.Value, now + _options.TokenCacheDuration));
        _ = entry.State.ContinueWith(t =>
        {
            // A hub that did not answer is asked again next time.
            if (t.IsFaulted) _states.TryRemove(new KeyValuePair<string, (Task<JsonObject?>, DateTimeOffset)>(user, entry));
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return entry.State;
    }

    private async Task<JsonObject?> AskHubAsync(string user)
    {
        using var cts = new CancellationTokenSource(JupyterHubApi.RequestTimeout, time);
        var response = await hub.GetUserAsync(user, null, cts.Token).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            LogHubRefused(user, response.Reached ? response.Status : 0);
            if (!response.Reached || response.Status >= 500) throw new HttpRequestException($"The hub did not answer for user {user}.");
            return null;
        }
        try
        {
            var model = JsonNode.Parse(response.Body) as JsonObject;
            if (model is null || !model.ContainsKey("auth_state"))
            {
                // The hub leaves the key out unless the service may read auth state.
                if (Interlocked.Exchange(ref _warnedNoState, 1) == 0) LogNoAuthStateScope();
                return null;
            }
            return model["auth_state"] as JsonObject;
        }
        catch (JsonException)
        {
            LogHubRefused(user, response.Status);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hub answered {Status} when asked for the auth state of {User}")]
    private partial void LogHubRefused(string user, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hub's user model has no auth_state: give the binder service's role the admin:auth_state scope and set c.Authenticator.enable_auth_state = True (JupyterHub:Auth:RepoCredentials)")]
    private partial void LogNoAuthStateScope();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The auth state of {User} has a value at {Key} that git cannot be given (empty or with control characters)")]
    private partial void LogUnusableToken(string user, string key);
}
