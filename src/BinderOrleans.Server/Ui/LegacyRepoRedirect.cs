namespace BinderOrleans.Server.Ui;

/// <summary>
/// BinderHub's <c>/repo/{user}/{repo}[/{path}]</c> links: the GitHub repository at <c>master</c>, the path as
/// <c>urlpath</c> (form-encoded like Python's <c>urlencode</c>: <c>/</c> → <c>%2F</c>, space → <c>+</c>).
/// </summary>
internal static class LegacyRepoRedirect
{
    /// <param name="baseUrl">Our base URL with trailing slash (BinderHub leaves it out, which breaks non-root deployments).</param>
    /// <param name="user">The owner, decoded.</param>
    /// <param name="repo">The repository, decoded.</param>
    /// <param name="path">What followed, decoded; empty for none.</param>
    public static string Location(string baseUrl, string user, string repo, string? path)
    {
        var location = $"{baseUrl}v2/gh/{Uri.EscapeDataString(user)}/{Uri.EscapeDataString(repo)}/master";
        var trimmed = (path ?? "").TrimStart('/');
        return trimmed.Length == 0 ? location : location + "?urlpath=" + FormEncode("/" + trimmed);
    }

    /// <summary>Python's <c>quote_plus</c>: unreserved characters stay, space is <c>+</c>, the rest is UTF-8 percent-encoded.</summary>
    public static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);
}
