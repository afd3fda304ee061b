namespace BinderOrleans.Core.Providers.Git;

/// <summary>How a git command ended.</summary>
/// <param name="ExitCode">Process exit code; -1 when it was killed.</param>
/// <param name="Output">Standard output (capped).</param>
/// <param name="Error">Standard error (capped).</param>
/// <param name="TimedOut">True when the command was killed for taking too long.</param>
/// <param name="HttpStatus">The HTTP status a smart HTTP host refused with (in-process listing only), else null.</param>
public sealed record GitCommandResult(int ExitCode, string Output, string Error, bool TimedOut, int? HttpStatus = null);
