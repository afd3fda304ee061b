namespace BinderOrleans.Docker.Builds;

/// <summary>A line of git's output, or (when <paramref name="Failed"/>) the reason the fetch failed; that one is last.</summary>
/// <param name="Text">The line, or the reason.</param>
/// <param name="Failed">This is the failure, and the last line.</param>
/// <param name="StatusCode">The failure's <c>status_code</c> when it has one (403 for a target the outbound guard refused).</param>
internal sealed record GitOutput(string Text, bool Failed = false, int? StatusCode = null);
