namespace BinderOrleans.Docker.Launches;

/// <summary>What a Jupyter server's <c>/api/status</c> said.</summary>
/// <param name="LastActivity">The server's <c>last_activity</c>, when it reported one.</param>
internal sealed record NotebookStatus(DateTimeOffset? LastActivity);
