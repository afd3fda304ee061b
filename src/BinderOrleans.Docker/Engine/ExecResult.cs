namespace BinderOrleans.Docker.Engine;

/// <summary>Outcome of a command run in a container with <c>exec</c>.</summary>
internal sealed record ExecResult(int ExitCode, string Stdout, string Stderr);
