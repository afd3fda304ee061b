namespace BinderOrleans.Docker.Launches;

/// <summary>
/// The notebook settings BinderHub's spawner gives a server when <c>Binder:CorsAllowOrigin</c> is set: <c>allow_origin</c>,
/// plus <c>allow_origin_pat=.*</c> for <c>*</c> (some servers only honour the pattern for every origin), each for the
/// classic notebook and for jupyter_server.
/// </summary>
internal static class NotebookCors
{
    public static IReadOnlyList<string> Arguments(string? allowOrigin)
    {
        if (string.IsNullOrEmpty(allowOrigin)) return [];
        List<string> args = [$"--NotebookApp.allow_origin={allowOrigin}", $"--ServerApp.allow_origin={allowOrigin}"];
        if (allowOrigin == "*") args.AddRange(["--NotebookApp.allow_origin_pat=.*", "--ServerApp.allow_origin_pat=.*"]);
        return args;
    }
}
