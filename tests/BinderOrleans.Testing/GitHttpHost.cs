using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BinderOrleans.Testing;

/// <summary>
/// git's own smart HTTP server (<c>git http-backend</c>, run as CGI per request) on 127.0.0.1, serving the folder that
/// holds one or more test repositories: what GitHub, GitLab or Gitea speak to git, on loopback.
/// </summary>
public sealed class GitHttpHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private GitHttpHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>With a trailing slash.</summary>
    public Uri BaseUri { get; }

    /// <summary>HTTP requests served so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public string UrlOf(GitRepo repo) => new Uri(BaseUri, Path.GetFileName(repo.Path)).AbsoluteUri;

    /// <summary>Requests refused for a missing or wrong token.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Authorization headers seen, for tests that check where a token went.</summary>
    public IReadOnlyCollection<string> AuthorizationHeaders => [.. _authorizations];

    private int _refused;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _authorizations = new();

    /// <summary>
    /// Serves <paramref name="root"/>'s repositories (all exported). A repository named in <paramref name="tokens"/> is
    /// private, as on GitHub: every request for it needs HTTP Basic with that token as the password (any user name), else
    /// 401 with a Basic challenge.
    /// </summary>
    public static async Task<GitHttpHost> StartAsync(string root, IReadOnlyDictionary<string, string>? tokens = null)
    {
        var builder = LoopbackHost.CreateBuilder();
        var app = builder.Build();
        GitHttpHost? host = null;
        app.Run(async context =>
        {
            Interlocked.Increment(ref host!._requests);
            var authorization = context.Request.Headers.Authorization.ToString();
            if (authorization.Length > 0) host._authorizations.Enqueue(authorization);
            if (tokens is not null && !Allowed(context.Request, authorization, tokens))
            {
                Interlocked.Increment(ref host._refused);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
                return;
            }
            await ServeAsync(context, root).ConfigureAwait(false);
        });
        var baseUri = await LoopbackHost.StartAsync(app).ConfigureAwait(false);
        host = new GitHttpHost(app, baseUri);
        return host;
    }

    private static bool Allowed(HttpRequest request, string authorization, IReadOnlyDictionary<string, string> tokens)
    {
        var repo = (request.Path.Value ?? "").TrimStart('/').Split('/')[0];
        if (!tokens.TryGetValue(repo, out var token)) return true;
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            var pair = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 && pair[(colon + 1)..] == token;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static async Task ServeAsync(HttpContext context, string root)
    {
        var psi = new ProcessStartInfo("git")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("http-backend");
        psi.Environment["GIT_PROJECT_ROOT"] = root;
        psi.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        psi.Environment["REQUEST_METHOD"] = context.Request.Method;
        psi.Environment["PATH_INFO"] = context.Request.Path.Value ?? "/";
        psi.Environment["QUERY_STRING"] = context.Request.QueryString.Value?.TrimStart('?') ?? "";
        psi.Environment["CONTENT_TYPE"] = context.Request.ContentType ?? "";
        psi.Environment["REMOTE_ADDR"] = "127.0.0.1";
        psi.Environment["GIT_PROTOCOL"] = context.Request.Headers["Git-Protocol"].ToString();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start git http-backend");
        var copyIn = context.Request.Body.CopyToAsync(process.StandardInput.BaseStream)
            .ContinueWith(_ => process.StandardInput.Close(), TaskScheduler.Default);
        var output = process.StandardOutput.BaseStream;

        // CGI: header lines up to a blank line, then the body.
        var status = 200;
        while (await ReadHeaderLineAsync(output).ConfigureAwait(false) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase)) status = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            else context.Response.Headers.Append(name, value);
        }
        context.Response.StatusCode = status;
        await output.CopyToAsync(context.Response.Body).ConfigureAwait(false);
        await copyIn.ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
    }

    private static async Task<string> ReadHeaderLineAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one).ConfigureAwait(false) == 1)
        {
            if (one[0] == '\n') break;
            if (one[0] != '\r') bytes.Add(one[0]);
        }
        return System.Text.Encoding.ASCII.GetString(bytes.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
