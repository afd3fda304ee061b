namespace BinderOrleans.Kubernetes.Client;

/// <summary>An API call that did not succeed: the server's Status, or why no answer came.</summary>
/// <param name="Code">HTTP status; 0 when the server could not be reached or did not answer in time.</param>
/// <param name="Reason">The Status <c>reason</c>, e.g. <c>AlreadyExists</c>, <c>NotFound</c>, <c>Expired</c>; <c>Unreachable</c> or <c>Timeout</c> when Code is 0.</param>
/// <param name="Message">The Status <c>message</c>, or a sentence saying what went wrong.</param>
internal sealed record KubeError(int Code, string? Reason, string Message)
{
    public const string Unreachable = "Unreachable";
    public const string Timeout = "Timeout";

    public bool IsNotFound => Code == 404;

    /// <summary>410: the resource version is older than the server keeps; list again.</summary>
    public bool IsGone => Code == 410;

    public override string ToString() => Code == 0 ? Message : $"{Message} ({Code} {Reason})";
}
