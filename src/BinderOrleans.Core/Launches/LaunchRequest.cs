namespace BinderOrleans.Core.Launches;

/// <summary>Everything a launcher passes on to the server it starts (BinderHub's <c>user_options</c>).</summary>
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
    string? User = null);
