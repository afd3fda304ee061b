namespace BinderOrleans.Core.Providers.Git;

/// <summary>One line of a streamed git command's output, or (when <paramref name="ExitCode"/> is set) its end; that one is last.</summary>
/// <param name="Text">The output line; empty on the last item.</param>
/// <param name="ExitCode">The process exit code on the last item, else null.</param>
public sealed record GitLine(string Text, int? ExitCode = null)
{
    /// <summary>The last item of a stream: the command ended with <paramref name="exitCode"/>.</summary>
    public static GitLine Exited(int exitCode) => new("", exitCode);
}
