namespace BinderOrleans.Core.Providers.GitHub;

/// <summary>How one GitHub API call ended, as a value.</summary>
internal abstract record GitHubAnswer<T>
{
    private GitHubAnswer() { }

    public sealed record Found(T Value) : GitHubAnswer<T>;

    /// <summary>GitHub said 404 (no such repository or gist) or 422 (no such ref in an existing repository).</summary>
    public sealed record NotFound : GitHubAnswer<T>
    {
        public static NotFound Instance { get; } = new();
    }

    /// <summary>
    /// Not an answer about the resource: rate limit, outage, network, timeout. <paramref name="Message"/> is for the user;
    /// <paramref name="Cause"/> is set when GitHub could not be reached.
    /// </summary>
    public sealed record Error(string Message, int StatusCode, Exception? Cause = null) : GitHubAnswer<T>;
}
