using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.JupyterHub.Auth;
using BinderOrleans.Server.Security;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Build;

/// <summary>
/// What both entrances (<c>/build</c> SSE and the SignalR hub) do before streaming: resume a session named by the
/// client's last event id (on whichever replica runs it, or restart it here if its replica was lost), or admit a new
/// one (build token or rate limit, a spec its provider can parse, room under <c>Binder:MaxSessions</c>).
/// </summary>
internal sealed partial class BuildStreams(LaunchSessions sessions, BuildTokens tokens, IpRateLimiter rateLimiter, IOptions<SecurityOptions> security,
    IOptions<SiteOptions> site, TimeProvider time, DrainState drain, ILogger<BuildStreams> logger)
{
    public LaunchSessions Sessions => sessions;

    public DrainState Drain => drain;

    /// <param name="lastEventId">The last <c>{session}:{index}</c> id the client saw, if it is reconnecting.</param>
    public async Task<BuildStreamPlan> PlanAsync(HttpContext context, string provider, string spec, string? lastEventId)
    {
        // Binder:AuthEnabled: BinderHub answers an anonymous /build with a 403 failed event, never a login redirect.
        if (site.Value.AuthEnabled && HubClaims.UserName(context.User) is null)
        {
            return new BuildStreamPlan.Refused(BinderEvent.Failed(HubTokenHandler.FailureOf(context) ?? HubAuthMessages.NotLoggedIn, 403));
        }
        var launch = BuildStreamRequest.ToLaunchSpec(context, site.Value, provider, spec);
        var resume = BuildStreamRequest.ParseEventId(lastEventId);
        if (resume is ({ } refused, _) && refused == BuildStreamPlan.RefusedSession) return new BuildStreamPlan.Finished();
        // A session id this cluster did not issue is a new request (a client cannot choose its key), and a session no
        // replica runs is admitted like one before anything is activated for it.
        if (resume is var (key, lastIndex) && sessions.IsValidKey(key))
        {
            // A session is resumed only by whoever started it: another user is told so, and sees none of its events.
            if (!sessions.IsOwnedBy(key, launch.User))
            {
                LogNotOwner(logger, key, launch.User ?? "(anonymous)");
                return new BuildStreamPlan.Refused(BinderEvent.Failed(NotYourSession, 403));
            }
            SessionState? state = null;
            try
            {
                if (await sessions.IsActiveAnywhereAsync(key).ConfigureAwait(false) != false) state = await sessions.GetStateAsync(key).ConfigureAwait(false);
            }
            catch (Exception ex) when (GrainWatch.IsLostWatch(ex))
            {
                // Its silo is going or gone: the watch retries until the session answers, or restarts on a live silo.
                if (drain.IsDraining) return new BuildStreamPlan.Draining(Resume: true);
                LogResumed(logger, key, lastIndex + 1);
                return new BuildStreamPlan.Watch(key, launch, lastIndex + 1, Resumed: true);
            }
            if (state is { Started: true })
            {
                if (state.Completed && lastIndex + 1 >= state.NextIndex) return new BuildStreamPlan.Finished();
                LogResumed(logger, key, lastIndex + 1);
                return new BuildStreamPlan.Watch(key, launch, lastIndex + 1, Resumed: true);
            }
            // Nobody runs it any more (its replica was lost): it restarts here from the request, once admitted; on a
            // draining replica, on another one.
            if (drain.IsDraining) return new BuildStreamPlan.Draining(Resume: true);
            return await RestartAsync(context, provider, spec, launch, key, lastIndex).ConfigureAwait(false);
        }
        return await AdmitAsync(context, provider, spec, launch).ConfigureAwait(false);
    }

    /// <summary>Nobody runs the session any more (its replica was lost): it restarts here from the request, once admitted.</summary>
    private async Task<BuildStreamPlan> RestartAsync(HttpContext context, string provider, string spec, LaunchSpec launch, string key, int lastIndex)
    {
        var admitted = await AdmitAsync(context, provider, spec, launch).ConfigureAwait(false);
        if (admitted is not BuildStreamPlan.Watch watch) return admitted;
        LogRestarted(logger, key, lastIndex + 1);
        return watch with { Key = key, From = lastIndex + 1, Resumed = true };
    }

    private async Task<BuildStreamPlan> AdmitAsync(HttpContext context, string provider, string spec, LaunchSpec launch)
    {
        if (drain.IsDraining) return new BuildStreamPlan.Draining(Resume: false);
        var (refusal, usedToken) = await BuildAdmission.CheckAsync(context, provider, spec, tokens, rateLimiter, security.Value, time).ConfigureAwait(false);
        if (refusal is not null) return new BuildStreamPlan.Refused(refusal);
        if (launch.BuildOnly && !site.Value.EnableApiOnlyMode) return new BuildStreamPlan.Refused(BuildOnlyEvents.NotPermitted());
        if (sessions.Admit() is { } full) return new BuildStreamPlan.Refused(full);
        return new BuildStreamPlan.Watch(sessions.NewKey(launch.User), launch with { UsedBuildToken = usedToken }, 0, Resumed: false);
    }

    /// <summary>What a client is told when the session it tries to resume was started by someone else.</summary>
    public const string NotYourSession = "This launch session was started by another user and cannot be resumed by you. Start a new launch.";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {Session}: resume refused, it does not belong to {User}")]
    private static partial void LogNotOwner(ILogger logger, string session, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {Session} resumed from event {Index}")]
    private static partial void LogResumed(ILogger logger, string session, int index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {Session} was not running anywhere; restarting it here from event {Index}")]
    private static partial void LogRestarted(ILogger logger, string session, int index);
}
