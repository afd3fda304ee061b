namespace BinderOrleans.Docker.Builds;

/// <summary>A line of git's output, or (when <paramref name="Failed"/>) the reason the fetch failed; that one is last.</summary>
internal sealed record GitOutput(string Text, bool Failed = false);
