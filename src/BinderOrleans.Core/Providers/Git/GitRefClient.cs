using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// What <c>git ls-remote -- &lt;url&gt; &lt;patterns&gt;</c> prints, without a process: the ref advertisement of git's
/// smart HTTP (<c>GET &lt;url&gt;/info/refs?service=git-upload-pack</c>) or of a <c>git://</c> daemon, filtered by
/// ls-remote's rule (a pattern matches a ref name that equals it or ends in <c>/</c> plus it), in the advertisement's
/// order. Bounded: <see cref="MaxAdvertisementBytes"/>, the caller's timeout, and nothing but the advertisement is
/// read (the upload-pack conversation is ended with a flush before any object is asked for).
/// URLs it does not take (ssh, file, user-info in the URL, a dumb HTTP server) stay with the git process.
/// </summary>
internal sealed class GitRefClient(IHttpClientFactory httpClients) : IGitRefLister
{
    /// <summary>The named <see cref="HttpClient"/> the advertisement is fetched with.</summary>
    public const string HttpClientName = "git-refs";

    /// <summary>Most bytes of one advertisement (a repository with tens of thousands of tags stays well under it).</summary>
    public const int MaxAdvertisementBytes = 16 * 1024 * 1024;

    private const int GitDaemonPort = 9418;

    /// <summary>Whether this client, rather than the git process, lists <paramref name="canonicalUrl"/>'s refs.</summary>
    public static bool Handles(string canonicalUrl)
    {
        if (!Uri.TryCreate(canonicalUrl, UriKind.Absolute, out var uri)) return false;
        return uri.Scheme is "http" or "https" or "git" && uri.UserInfo.Length == 0;
    }

    /// <summary>
    /// The refs of <paramref name="url"/> matching <paramref name="patterns"/>, as ls-remote's output
    /// (<c>sha\tname</c> lines), in a <see cref="GitCommandResult"/>: exit code 0, or 128 with the reason in
    /// <c>Error</c>, or <c>TimedOut</c>. Null when <see cref="Handles"/> says no or the HTTP server is not a smart one
    /// (the caller asks git).
    /// </summary>
    public Task<GitCommandResult?> LsRemoteAsync(string url, IReadOnlyList<string> patterns, TimeSpan timeout, CancellationToken cancellationToken) =>
        ListAsync(url, patterns, null, timeout, cancellationToken);

    /// <summary>
    /// As the credential's owner: HTTP Basic on the advertisement request (http and https only; redirects are not followed
    /// with it, .NET drops the header on a redirect). A refusal carries the host's status in <c>HttpStatus</c>.
    /// </summary>
    public Task<GitCommandResult?> LsRemoteAsync(string url, IReadOnlyList<string> patterns, RepoCredential credential, TimeSpan timeout,
        CancellationToken cancellationToken) =>
        GitUrl.SchemeOf(url) is "http" or "https" ? ListAsync(url, patterns, credential, timeout, cancellationToken) : Task.FromResult<GitCommandResult?>(null);

    private async Task<GitCommandResult?> ListAsync(string url, IReadOnlyList<string> patterns, RepoCredential? credential, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        if (!Handles(url)) return null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            var uri = new Uri(url);
            var refs = uri.Scheme == "git"
                ? await FromDaemonAsync(uri, cts.Token).ConfigureAwait(false)
                : await FromSmartHttpAsync(uri, credential, cts.Token).ConfigureAwait(false);
            if (refs is null) return null;
            var output = new StringBuilder();
            foreach (var (sha, name) in refs)
            {
                if (patterns.Any(p => Matches(name, p))) output.Append(sha).Append('\t').Append(name).Append('\n');
            }
            return new GitCommandResult(0, output.ToString(), "", TimedOut: false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new GitCommandResult(-1, "", "", TimedOut: true);
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or InvalidDataException)
        {
            return new GitCommandResult(128, "", $"unable to access '{url}': {Reason(ex, new Uri(url))}", TimedOut: false,
                HttpStatus: (int?)(ex as HttpRequestException)?.StatusCode);
        }
    }

    /// <summary>ls-remote's pattern rule: the whole name, or its tail after a <c>/</c>.</summary>
    internal static bool Matches(string refName, string pattern) =>
        string.Equals(refName, pattern, StringComparison.Ordinal)
        || (refName.Length > pattern.Length && refName.EndsWith(pattern, StringComparison.Ordinal) && refName[^(pattern.Length + 1)] == '/');

    private async Task<List<(string, string)>?> FromSmartHttpAsync(Uri repo, RepoCredential? credential, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(HttpClientName);
        var infoRefs = new Uri(repo.AbsoluteUri.TrimEnd('/') + "/info/refs?service=git-upload-pack");
        using var request = new HttpRequestMessage(HttpMethod.Get, infoRefs);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("git", "2.39.0"));
        request.Headers.Accept.ParseAdd("application/x-git-upload-pack-advertisement");
        if (credential is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicParameter);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            throw new HttpRequestException(status == 404 ? $"repository '{repo}' not found" : $"the server answered HTTP {status}", null, response.StatusCode);
        }
        if (response.Content.Headers.ContentType?.MediaType != "application/x-git-upload-pack-advertisement") return null;
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var reader = new PktLineReader(body, MaxAdvertisementBytes);
        // The smart answer starts with "# service=git-upload-pack" and a flush, then the same list a daemon sends.
        var first = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (first != "# service=git-upload-pack") throw new InvalidDataException("the server's answer does not start with git's service line");
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is not null)
        {
            // Protocol v0 has nothing between the service line and its flush; skip whatever a newer server adds.
        }
        return await ReadRefsAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<(string, string)>?> FromDaemonAsync(Uri repo, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(repo.IdnHost, repo.IsDefaultPort || repo.Port < 0 ? GitDaemonPort : repo.Port, cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var host = repo.IsDefaultPort || repo.Port < 0 ? repo.IdnHost : $"{repo.IdnHost}:{repo.Port}";
        await stream.WriteAsync(PktLineReader.Encode($"git-upload-pack {Uri.UnescapeDataString(repo.AbsolutePath)}\0host={host}\0"), cancellationToken).ConfigureAwait(false);
        var refs = await ReadRefsAsync(new PktLineReader(stream, MaxAdvertisementBytes), cancellationToken).ConfigureAwait(false);
        // A flush tells upload-pack we want nothing; it then closes without an error in its log.
        await stream.WriteAsync("0000"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        return refs;
    }

    /// <summary>
    /// <c>&lt;sha&gt; &lt;name&gt;[\0capabilities]</c> lines up to a flush. An empty repository advertises only
    /// <c>capabilities^{}</c>; an error is an <c>ERR</c> line.
    /// </summary>
    private static async Task<List<(string, string)>> ReadRefsAsync(PktLineReader reader, CancellationToken cancellationToken)
    {
        var refs = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("ERR ", StringComparison.Ordinal)) throw new InvalidDataException($"the server said: {line[4..]}");
            var nul = line.IndexOf('\0', StringComparison.Ordinal);
            if (nul >= 0) line = line[..nul];
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0) throw new InvalidDataException("the server sent a ref line without a name");
            var name = line[(space + 1)..];
            if (name == "capabilities^{}") continue;
            refs.Add((line[..space], name));
        }
        return refs;
    }

    /// <summary>The reason as git words it, so a user reads the same whether git or this client asked.</summary>
    private static string Reason(Exception ex, Uri url) => ex switch
    {
        HttpRequestException { InnerException: SocketException socket } => ConnectFailed(url, socket),
        SocketException socket => ConnectFailed(url, socket),
        _ => ex.Message,
    };

    private static string ConnectFailed(Uri url, SocketException socket) =>
        $"Failed to connect to {url.IdnHost} port {(url.Port < 0 ? GitDaemonPort : url.Port)}: {socket.Message}";
}
