namespace BinderOrleans.Registry;

/// <summary>Outcome of one manifest lookup: found, not found, or failed with a message fit for logs and events.</summary>
/// <param name="Status">What the registry said.</param>
/// <param name="Error">Why it failed: names the registry and the HTTP status or network error, never a credential.</param>
/// <param name="HttpStatus">The registry's (or token server's) HTTP status, when it answered.</param>
/// <param name="Transient">Worth retrying: unreachable, timed out, 5xx, 408, 429.</param>
internal sealed record ManifestCheck(ManifestStatus Status, string? Error = null, int? HttpStatus = null, bool Transient = false)
{
    public static ManifestCheck Found { get; } = new(ManifestStatus.Found);
    public static ManifestCheck NotFound { get; } = new(ManifestStatus.NotFound);

    public static ManifestCheck Failed(string error, int? httpStatus = null, bool transient = false) =>
        new(ManifestStatus.Failed, error, httpStatus, transient);
}

internal enum ManifestStatus
{
    Found,
    NotFound,
    Failed,
}
