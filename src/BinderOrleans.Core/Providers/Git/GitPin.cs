using System.Net;
using System.Net.Sockets;
using BinderOrleans.Core.Outbound;

namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// The outbound guard for git processes, which resolve names themselves: the host of a canonical URL is resolved and
/// checked here first (<see cref="OutboundGuard"/>), and git is held to the checked addresses, so DNS cannot switch them
/// between the check and the connection. http(s) (and ftp(s), all through curl): <c>http.curloptResolve</c> pins the name
/// to the checked addresses, <c>http.followRedirects=false</c> keeps curl from going anywhere unchecked, and
/// <c>http.proxy</c> is emptied (the proxy would resolve instead). git:// and ssh:// get the checked literal address in
/// the URL. Operator endpoints and <c>file</c> URLs (tests only) are left as they are.
/// </summary>
internal sealed class GitPin(OutboundGuard guard)
{
    /// <summary>
    /// The URL git gets and the <c>-c</c> settings that go before the command, or a refusal: 403 for a target the site
    /// does not allow (the guard's message), 502 for a name that does not resolve.
    /// </summary>
    /// <param name="canonicalUrl">A URL from <see cref="GitUrl.Canonicalize"/>.</param>
    /// <param name="cancellationToken">Stops the resolution.</param>
    public async Task<(GitPinned? Pinned, ResolveResult.Failed? Refusal)> PinAsync(string canonicalUrl, CancellationToken cancellationToken)
    {
        var scheme = GitUrl.SchemeOf(canonicalUrl);
        if (scheme == "file") return (new GitPinned(canonicalUrl, []), null);
        int? defaultPort = scheme switch { "http" => 80, "https" => 443, "ftp" => 21, "ftps" => 990, "git" => 9418, "ssh" => 22, _ => null };
        if (defaultPort is null)
        {
            return (null, new ResolveResult.Failed(
                $"Unsupported git url {canonicalUrl}: fetches over {scheme} cannot be held to a checked address (Providers:Git:AllowedSchemes).", 400));
        }
        var (user, host, port, path) = Parts(canonicalUrl, defaultPort.Value);

        OutboundTarget target;
        try
        {
            target = await guard.ResolveAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (OutboundRefusedException refused)
        {
            return (null, new ResolveResult.Failed(refused.Message, OutboundRefusedException.StatusCode));
        }
        catch (SocketException ex)
        {
            return (null, new ResolveResult.Failed($"Could not resolve host {host}: {ex.Message}", 502));
        }
        if (target.OperatorEndpoint) return (new GitPinned(canonicalUrl, []), null);

        if (scheme is "git" or "ssh")
        {
            // The literal address in place of the name: nothing is left for git (or ssh) to resolve.
            var pinnedUrl = $"{scheme}://{user}{Literal(target.Addresses[0])}{(port == defaultPort ? "" : ":" + port)}{path}";
            return (new GitPinned(pinnedUrl, []), null);
        }

        List<string> config = ["-c", "http.followRedirects=false", "-c", "http.proxy="];
        // A name is pinned to what was checked; so is anything curl might read as one (such as 2130706435), since curl
        // ignores the pin for what it reads as an address. Bracketed IPv6 is always a literal (and cannot be written in the pin).
        if (!host.StartsWith('['))
        {
            config.Add("-c");
            config.Add($"http.curloptResolve={host}:{port}:{string.Join(',', target.Addresses.Select(Literal))}");
        }
        return (new GitPinned(canonicalUrl, config), null);
    }

    private static string Literal(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    /// <summary>
    /// The parts of a canonical URL exactly as it has them (System.Uri would re-escape or refuse some): <c>user@</c> (or
    /// empty), the host (IPv6 in brackets), the port (or the scheme's default) and everything after the authority.
    /// </summary>
    private static (string User, string Host, int Port, string Path) Parts(string canonicalUrl, int defaultPort)
    {
        var start = canonicalUrl.IndexOf("://", StringComparison.Ordinal) + 3;
        var slash = canonicalUrl.IndexOf('/', start);
        var authority = slash < 0 ? canonicalUrl[start..] : canonicalUrl[start..slash];
        var at = authority.LastIndexOf('@');
        var user = at < 0 ? "" : authority[..(at + 1)];
        var hostPort = authority[(at + 1)..];
        var close = hostPort.LastIndexOf(']');
        var colon = hostPort.LastIndexOf(':');
        var (host, port) = colon > close
            ? (hostPort[..colon], int.Parse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            : (hostPort, defaultPort);
        return (user, host, port, slash < 0 ? "" : canonicalUrl[slash..]);
    }
}
