namespace BinderOrleans.Core.Launches;

/// <summary>Everything a launcher passes on to the server it starts (BinderHub's <c>user_options</c>).</summary>
public sealed record LaunchRequest(
    string ImageName,
    string RepoUrl,
    string ProviderId,
    string Spec,
    string RefUrl,
    string LaunchHost,
    string BinderRequest,
    string PersistentRequest,
    string ClientIp);
