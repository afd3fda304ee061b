namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// One git command line: its arguments (each passed as is, never through a shell), the folder it runs in, and the
/// environment variables set (a null value removes the variable) on top of the service's own.
/// </summary>
/// <param name="Arguments">git's arguments, without the program name.</param>
/// <param name="WorkingDirectory">The folder git runs in.</param>
/// <param name="Environment">Variables to set (null: remove).</param>
public sealed record GitInvocation(IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string?> Environment)
{
    /// <summary>The variable git reads its credential-helper answer from (see <see cref="Create"/>).</summary>
    public const string CredentialsVariable = "BINDER_GIT_CREDENTIALS";

    /// <summary>
    /// The one place the service's git environment is decided, for every git it runs with a user's URL:
    /// <list type="bullet">
    /// <item><c>GIT_ALLOW_PROTOCOL</c> is exactly <paramref name="allowedSchemes"/> (git's own allow-list, which also binds
    /// submodules and redirects), lower case.</item>
    /// <item>Nothing prompts: no terminal prompt, no askpass, no credential-manager UI, and ssh runs with
    /// <c>BatchMode=yes</c> (a host-key question or password prompt fails instead of waiting).</item>
    /// <item>Credentials, when given, reach git through a credential helper that reads them from the environment, so they
    /// never appear on a command line.</item>
    /// </list>
    /// </summary>
    /// <param name="arguments">git's arguments; user text only after <c>--</c> or <c>--end-of-options</c>.</param>
    /// <param name="workingDirectory">The folder git runs in.</param>
    /// <param name="allowedSchemes">The transports git may use, such as <c>https</c> (from <c>Providers:Git:AllowedSchemes</c>).</param>
    /// <param name="credentials">
    /// Credential-helper text (<c>username=…\npassword=…</c>, lines joined by a newline or by the two characters <c>\n</c>,
    /// as BinderHub's <c>GIT_CREDENTIAL_ENV</c>), or null.
    /// </param>
    /// <param name="credentialUrl">
    /// Where the credentials may go: git asks the helper only for URLs matching it (<c>credential.&lt;url&gt;.helper</c>:
    /// same scheme and host, so a submodule elsewhere never gets them). Null: any host that asks (operator credentials).
    /// </param>
    public static GitInvocation Create(IReadOnlyList<string> arguments, string workingDirectory, IEnumerable<string> allowedSchemes,
        string? credentials = null, string? credentialUrl = null)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["LC_ALL"] = "C",
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GCM_INTERACTIVE"] = "never",
            ["GIT_ASKPASS"] = null,
            ["SSH_ASKPASS"] = null,
            ["SSH_ASKPASS_REQUIRE"] = "never",
            ["GIT_ALLOW_PROTOCOL"] = string.Join(':', allowedSchemes.Select(s => s.ToLowerInvariant()).Distinct(StringComparer.Ordinal)),
            // GIT_SSH would win over a missing GIT_SSH_COMMAND; ours is the only ssh git may run.
            ["GIT_SSH"] = null,
            ["GIT_SSH_VARIANT"] = "ssh",
            ["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o ConnectTimeout=30",
            // A proxy would resolve names itself, out of the outbound guard's sight (GitPin holds git to checked addresses).
            ["http_proxy"] = null,
            ["https_proxy"] = null,
            ["HTTPS_PROXY"] = null,
            ["ALL_PROXY"] = null,
            ["all_proxy"] = null,
            ["ftp_proxy"] = null,
            ["FTP_PROXY"] = null,
        };
        if (credentials is not null)
        {
            environment[CredentialsVariable] = credentials;
            environment["GIT_CONFIG_COUNT"] = "1";
            environment["GIT_CONFIG_KEY_0"] = credentialUrl is null ? "credential.helper" : $"credential.{CredentialOrigin(credentialUrl)}.helper";
            // %b turns the two characters \n into a newline, as repo2docker's echo -e does with GIT_CREDENTIAL_ENV.
            environment["GIT_CONFIG_VALUE_0"] = "!f() { test \"$1\" = get && printf '%b\\n' \"$" + CredentialsVariable + "\"; }; f";
        }
        return new GitInvocation(arguments, workingDirectory, environment);
    }

    /// <summary><c>scheme://host[:port]/</c> of a canonical URL: what git matches a <c>credential.&lt;url&gt;</c> section against.</summary>
    internal static string CredentialOrigin(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return url;
        var slash = url.IndexOf('/', start + 3);
        var authority = slash < 0 ? url[(start + 3)..] : url[(start + 3)..slash];
        // Never user-info in the key (a URL with a user name would only match itself).
        var at = authority.LastIndexOf('@');
        return $"{url[..(start + 3)]}{authority[(at + 1)..]}/";
    }
}
