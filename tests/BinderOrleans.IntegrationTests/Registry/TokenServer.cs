using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>
/// A registry token server (the Docker token authentication protocol) on 127.0.0.1:0: <c>GET /token?service=…&amp;scope=…</c>
/// with basic auth answers <c>{"token": …}</c>, an RS256 JWT whose <c>x5c</c> header carries a self-signed certificate
/// the registry trusts through its <c>rootcertbundle</c>. It grants the requested actions on repositories <see cref="Grants"/> allows.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    public const string Issuer = "binder-test-issuer";

    private readonly WebApplication _app;
    private readonly RSA _key;
    private readonly X509Certificate2 _certificate;
    private readonly string _username;
    private readonly string _password;

    private TokenServer(WebApplication app, RSA key, X509Certificate2 certificate, string username, string password, Uri realm)
    {
        _app = app;
        _key = key;
        _certificate = certificate;
        _username = username;
        _password = password;
        Realm = realm;
    }

    /// <summary>The token endpoint, <c>http://127.0.0.1:port/token</c>.</summary>
    public Uri Realm { get; }

    /// <summary>PEM of the signing certificate, for the registry's <c>rootcertbundle</c>.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>Which repositories a request may get access to; all by default (Docker Hub grants none for missing repositories).</summary>
    public Func<string, bool> Grants { get; set; } = _ => true;

    /// <summary>Every request seen: user (or null), service, scopes.</summary>
    public ConcurrentQueue<TokenRequest> Requests { get; } = new();

    public static async Task<TokenServer> StartAsync(string username, string password)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=binder-test-token-issuer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));

        var app = LoopbackHost.CreateBuilder().Build();
        TokenServer? server = null;
        app.MapGet("/token", (HttpContext context) => server!.Handle(context));
        var baseUri = await LoopbackHost.StartAsync(app).ConfigureAwait(false);
        server = new TokenServer(app, key, certificate, username, password, new Uri(baseUri, "token"));
        return server;
    }

    /// <summary>Signs a token for <paramref name="service"/> granting <paramref name="access"/> directly (the tests' own uploads).</summary>
    public string Mint(string service, string subject, IEnumerable<(string Repository, string[] Actions)> access) =>
        MintAccess(service, subject, access.Select(a => ("repository", a.Repository, a.Actions)));

    /// <summary>Signs a token granting <paramref name="access"/> of any resource type (<c>repository</c>, <c>registry</c> for the catalog).</summary>
    private string MintAccess(string service, string subject, IEnumerable<(string Type, string Name, string[] Actions)> access)
    {
        var header = new JsonObject
        {
            ["alg"] = "RS256",
            ["typ"] = "JWT",
            ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)),
        };
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var accessArray = new JsonArray();
        foreach (var (type, name, actions) in access)
        {
            accessArray.Add(new JsonObject
            {
                ["type"] = type,
                ["name"] = name,
                ["actions"] = new JsonArray(actions.Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
            });
        }
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = service,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = accessArray,
        };
        var signingInput = $"{Base64Url(header.ToJsonString())}.{Base64Url(claims.ToJsonString())}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64UrlEncode(signature)}";
    }

    private IResult Handle(HttpContext context)
    {
        string? user = null;
        if (context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
        {
            if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return Results.StatusCode(StatusCodes.Status401Unauthorized);
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            var colon = decoded.IndexOf(':');
            if (colon < 0 || decoded[..colon] != _username || decoded[(colon + 1)..] != _password)
            {
                Requests.Enqueue(new TokenRequest(colon < 0 ? decoded : decoded[..colon], context.Request.Query["service"].ToString(), [], Rejected: true));
                return Results.Json(new { details = "incorrect username or password" }, statusCode: StatusCodes.Status401Unauthorized);
            }
            user = _username;
        }

        var service = context.Request.Query["service"].ToString();
        var scopes = context.Request.Query["scope"].Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToArray();
        Requests.Enqueue(new TokenRequest(user, service, scopes, Rejected: false));

        var access = new List<(string, string, string[])>();
        if (user is not null)
        {
            foreach (var scope in scopes)
            {
                // repository:<name>:<actions> or registry:catalog:*; the name itself has no ':'.
                var parts = scope.Split(':');
                if (parts.Length != 3 || parts[0] is not ("repository" or "registry") || !Grants(parts[1])) continue;
                access.Add((parts[0], parts[1], parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries)));
            }
        }
        var token = MintAccess(service, user ?? "", access);
        return Results.Json(new { token, access_token = token, expires_in = 300, issued_at = DateTimeOffset.UtcNow.ToString("O") });
    }

    private static string Base64Url(string text) => Base64UrlEncode(Encoding.UTF8.GetBytes(text));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _certificate.Dispose();
        _key.Dispose();
    }
}

/// <param name="User">The basic-auth user, null when anonymous.</param>
/// <param name="Service">The <c>service</c> query parameter.</param>
/// <param name="Scopes">Every <c>scope</c> query parameter.</param>
/// <param name="Rejected">Wrong credentials: answered 401.</param>
public sealed record TokenRequest(string? User, string Service, string[] Scopes, bool Rejected);
