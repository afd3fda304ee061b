using System.Text;

namespace BinderOrleans.Core.Providers;

/// <summary>
/// A logged-in user's own credentials for one repository host (a token from the hub's <c>auth_state</c>), used for that
/// user's resolve and clone only. Never written to a log, an event, an image or a command line: <see cref="ToString"/>
/// hides the password, and git gets it through a credential helper that reads the environment.
/// </summary>
/// <param name="Username">The user name git sends (GitHub and GitLab accept any, e.g. <c>oauth2</c>).</param>
/// <param name="Password">The token.</param>
public sealed record RepoCredential(string Username, string Password)
{
    /// <summary>A credential git can be given safely: no control characters (they would add lines to the helper's answer).</summary>
    public static RepoCredential? TryCreate(string username, string? password) =>
        password is { Length: > 0 } && username.Length > 0 && !username.Any(char.IsControl) && !password.Any(char.IsControl)
            ? new RepoCredential(username, password)
            : null;

    /// <summary>
    /// BinderHub's <c>GIT_CREDENTIAL_ENV</c> text: credential-helper lines joined by the two characters <c>\n</c>, with
    /// backslashes doubled so the helper's <c>printf %b</c> (repo2docker's <c>echo -e</c>) gives the value back unchanged.
    /// </summary>
    public string HelperText => $"username={Escape(Username)}\\npassword={Escape(Password)}";

    /// <summary>The value of an <c>Authorization</c> header of the Basic scheme.</summary>
    public string BasicParameter => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    public override string ToString() => $"RepoCredential {{ Username = {Username}, Password = *** }}";

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal);
}
