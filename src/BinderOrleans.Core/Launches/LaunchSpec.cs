namespace BinderOrleans.Core.Launches;

/// <summary>One client's request: what to launch and the request facts that go into the <c>ready</c> event.</summary>
/// <param name="ProviderId">URL prefix such as <c>gh</c>.</param>
/// <param name="Spec">The spec as it came in the URL path (still escaped where it was).</param>
/// <param name="ClientIp">Requesting client's address (<c>binder_client_ip</c>).</param>
/// <param name="LaunchHost">BinderHub's <c>binder_launch_host</c>: badge base URL or this server's own base URL.</param>
/// <param name="Origin">The request's Origin (analytics).</param>
/// <param name="UsedBuildToken">A valid build token admitted the request (analytics).</param>
/// <param name="BuildOnly">
/// <c>build_only=true</c>: end with <c>ready</c> once the image exists and launch nothing (API-only mode only; otherwise
/// refused with 400, as BinderHub does).
/// </param>
/// <param name="ServiceUrl">This service's own base URL as the client reached it (with a trailing <c>/</c>); relative
/// <c>build_log_url</c>s are resolved against it. Null leaves them relative.</param>
/// <param name="User">The logged-in hub user (<c>Binder:AuthEnabled</c>), for whom the server is launched; null = anonymous.</param>
[GenerateSerializer, Immutable, Alias("binder.launch-spec")]
public sealed record LaunchSpec(
    [property: Id(0)] string ProviderId,
    [property: Id(1)] string Spec,
    [property: Id(2)] string ClientIp,
    [property: Id(3)] string LaunchHost,
    [property: Id(4)] string? Origin = null,
    [property: Id(5)] bool UsedBuildToken = false,
    [property: Id(6)] bool BuildOnly = false,
    [property: Id(7)] string? ServiceUrl = null,
    [property: Id(8)] string? User = null);
