using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace BinderOrleans.Server.Security;

/// <summary>
/// BinderHub's build tokens: HS256 JWTs minted by a <c>/v2</c> page, audience <c>{provider}/{raw spec}</c>,
/// an <c>origin</c> claim, short expiry. A valid one exempts the request from the IP rate limit.
/// </summary>
public sealed class BuildTokens
{
    private readonly SecurityOptions _options;
    private readonly TimeProvider _time;
    private readonly SymmetricSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new();

    public BuildTokens(IOptions<SecurityOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        var secret = _options.BuildTokenSecret.Length > 0 ? Convert.FromHexString(_options.BuildTokenSecret) : RandomNumberGenerator.GetBytes(32);
        _key = new SymmetricSecurityKey(secret);
    }

    public string Mint(string provider, string spec, string origin)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Audience = $"{provider}/{spec}",
            Claims = new Dictionary<string, object> { ["origin"] = origin },
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _options.BuildTokenExpires,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Checks signature, audience and expiry, then the origin.</summary>
    public async Task<BuildTokenCheck> ValidateAsync(string token, string provider, string spec, string origin)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidAudience = $"{provider}/{spec}",
            ValidateIssuer = false,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(5),
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = _time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore <= now.AddSeconds(5)) && expires is { } e && e > now;
            },
        }).ConfigureAwait(false);
        if (!result.IsValid) return BuildTokenCheck.Invalid;
        var claimed = result.ClaimsIdentity.FindFirst("origin")?.Value ?? "";
        return string.Equals(claimed, origin, StringComparison.OrdinalIgnoreCase) ? BuildTokenCheck.Valid : BuildTokenCheck.WrongOrigin;
    }

    /// <summary>The origin BinderHub compares: the Origin header's host[:port], else the Host header.</summary>
    public static string RequestOrigin(HttpRequest request) =>
        Uri.TryCreate(request.Headers.Origin.FirstOrDefault(), UriKind.Absolute, out var o) ? o.Authority : request.Host.Value ?? "";
}

public enum BuildTokenCheck
{
    Valid,
    Invalid,
    WrongOrigin,
}
