using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using BinderOrleans.Core.Providers.Git;

namespace BinderOrleans.Testing;

/// <summary>
/// The fake <see cref="IGitRunner"/>: records every invocation (argument vector, folder, environment) and answers from
/// the test's script, so no git, ssh or DNS lookup ever happens. "No process started" is <see cref="Invocations"/> being empty.
/// </summary>
public sealed class RecordingGitRunner : IGitRunner, IGitRefLister
{
    /// <summary>Every invocation, in order.</summary>
    public ConcurrentQueue<GitInvocation> Invocations { get; } = new();

    /// <summary>The answer to <see cref="RunAsync"/>; by default exit 0 with no output (ls-remote: the ref is not there).</summary>
    public Func<GitInvocation, GitCommandResult> Answer { get; set; } = _ => new GitCommandResult(0, "", "", TimedOut: false);

    /// <summary>The lines <see cref="StreamAsync"/> yields before its exit code; by default none.</summary>
    public Func<GitInvocation, IReadOnlyList<string>> StreamOutput { get; set; } = _ => [];

    /// <summary>The exit code <see cref="StreamAsync"/> ends with; by default 0.</summary>
    public Func<GitInvocation, int> StreamExitCode { get; set; } = _ => 0;

    /// <summary>The argument vectors recorded so far.</summary>
    public IReadOnlyList<IReadOnlyList<string>> ArgumentVectors => Invocations.Select(i => i.Arguments).ToArray();

    public Task<GitCommandResult> RunAsync(GitInvocation invocation, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Invocations.Enqueue(invocation);
        return Task.FromResult(Answer(invocation));
    }

    public async IAsyncEnumerable<GitLine> StreamAsync(GitInvocation invocation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Invocations.Enqueue(invocation);
        await Task.Yield();
        foreach (var line in StreamOutput(invocation)) yield return new GitLine(line);
        yield return GitLine.Exited(StreamExitCode(invocation));
    }

    /// <summary>Forgets what was recorded.</summary>
    public void Clear() => Invocations.Clear();

    /// <summary>Takes no URL, so every ref listing goes to <see cref="RunAsync"/> as a recorded <c>git ls-remote</c>.</summary>
    public Task<GitCommandResult?> LsRemoteAsync(string url, IReadOnlyList<string> patterns, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.FromResult<GitCommandResult?>(null);
}
