namespace BinderOrleans.Core.Launches;

/// <summary>Everything a launcher passes on to the server it starts (BinderHub's <c>user_options</c>).</summary>
/// <param name="SessionId">The launch session the server is for: launchers mark the server with it, so a session that
/// restarted after its silo was lost finds the server it already started (<see cref="ILauncher.FindExistingAsync"/>).</param>
/// <param name="ServiceUrl">This service's base URL as the client reached it (trailing <c>/</c>); a launcher that serves
/// its servers through this service puts them below it. Null when unknown.</param>
/// <param name="User">The logged-in hub user to launch for (<c>Binder:AuthEnabled</c>); null = a temporary user.</param>
public sealed record LaunchRequest(
    string ImageName,
    string RepoUrl,
    string ProviderId,
    string Spec,
    string RefUrl,
    string LaunchHost,
    string BinderRequest,
    string PersistentRequest,
    string ClientIp,
    string? SessionId = null,
    string? ServiceUrl = null,
    string? User = null);
