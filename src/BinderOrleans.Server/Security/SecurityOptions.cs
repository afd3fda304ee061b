namespace BinderOrleans.Server.Security;

/// <summary>Abuse controls on <c>/build</c>, section <c>Security</c>.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// <c>Security:BuildTokenSecret</c> (env <c>BINDERHUB_BUILD_TOKEN_SECRET</c>): hex HS256 key for build tokens. Must be the
    /// same on every replica. Empty = a random key per process (tokens then only work on the replica that minted them).
    /// </summary>
    public string BuildTokenSecret { get; set; } = "";

    /// <summary><c>Security:BuildTokenExpires</c>: lifetime of a minted build token. Default 300 s.</summary>
    public TimeSpan BuildTokenExpires { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary><c>Security:BuildTokenCheckOrigin</c>: refuse tokens used from another origin. Default true.</summary>
    public bool BuildTokenCheckOrigin { get; set; } = true;

    /// <summary><c>Security:RateLimit</c>: <c>/build</c> requests per client IP per period without a build token; 0 = off. Default 10.</summary>
    public int RateLimit { get; set; } = 10;

    /// <summary><c>Security:RateLimitPeriod</c>: the rate-limit window. Default 1 h.</summary>
    public TimeSpan RateLimitPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary><c>Security:BanNetworks</c>: CIDR → label; requests from these networks get 403 (not /health, /versions).</summary>
    public Dictionary<string, string> BanNetworks { get; set; } = [];

    /// <summary><c>Security:TrustForwardedHeaders</c>: take the client IP from X-Forwarded-For (behind a proxy). Default false.</summary>
    public bool TrustForwardedHeaders { get; set; }
}
