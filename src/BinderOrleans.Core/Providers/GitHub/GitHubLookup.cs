namespace BinderOrleans.Core.Providers.GitHub;

/// <summary>What the commits API said about one ref.</summary>
internal abstract record GitHubLookup
{
    private GitHubLookup() { }

    public sealed record Found(string Sha) : GitHubLookup;

    public sealed record NotFound : GitHubLookup
    {
        public static NotFound Instance { get; } = new();
    }

    /// <summary>Not an answer about the ref: rate limit, outage, network. <paramref name="Message"/> is for the user.</summary>
    public sealed record Error(string Message, int StatusCode) : GitHubLookup;
}
