namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// Runs git commands (the port behind every git process the service starts: <c>ls-remote</c> when resolving, <c>clone</c>
/// and friends when building). Callers build the <see cref="GitInvocation"/> with <see cref="GitInvocation.Create"/>, which
/// holds the safety environment; implementations run it as given, without a shell. Registered by
/// <c>AddRepoProviders</c>; tests replace it with a recording fake so no process starts.
/// </summary>
public interface IGitRunner
{
    /// <summary>Runs to the end and returns its (capped) output; killed after <paramref name="timeout"/>.</summary>
    Task<GitCommandResult> RunAsync(GitInvocation invocation, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Yields output lines (stdout and stderr, non-empty) as they come, then one <see cref="GitLine"/> with the exit code.
    /// Stopping the enumeration or cancelling kills the process tree.
    /// </summary>
    IAsyncEnumerable<GitLine> StreamAsync(GitInvocation invocation, CancellationToken cancellationToken);
}
