namespace BinderOrleans.Core.Launches;

/// <summary>Everything a launcher passes on to the server it starts (BinderHub's <c>user_options</c>).</summary>
/// <param name="SessionId">The launch session the server is for: launchers mark the server with it, so a session that
/// restarted after its silo was lost finds the server it already started (<see cref="ILauncher.FindExistingAsync"/>).</param>
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
    string? SessionId = null);
