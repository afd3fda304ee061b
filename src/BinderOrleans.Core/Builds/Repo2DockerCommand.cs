
namespace BinderOrleans.Core.Builds;

/// <summary>
/// repo2docker's command line as BinderHub builds it (<c>binderhub/build.py</c>), shared by the Kubernetes build pod
/// and the Docker backend's repo2docker builder.
/// </summary>
internal static class Repo2DockerCommand
{
    /// <summary>
    /// Why the request cannot become a repo2docker run, or null. A repository URL starting with <c>-</c> would reach
    /// repo2docker as an option although it is the last argument, so it is refused rather than passed on.
    /// </summary>
    public static string? Refusal(BuildRequest request) =>
        request.RepoUrl.StartsWith('-') ? $"Refusing to build '{request.RepoUrl}': a repository URL cannot start with '-'."
        : request.ResolvedRef.Length == 0 ? "Refusing to build without a resolved ref."
        : null;

    /// <summary>
    /// BinderHub's order: options with their values joined by <c>=</c>, then the appendix, <c>--push</c>, the extra
    /// arguments, and the repository URL last (anything after it would be repo2docker's run command).
    /// </summary>
    public static List<string> Arguments(BuildRequest request, string? appendix, bool push, IEnumerable<string> extraArgs)
    {
        var args = new List<string>
        {
            "jupyter-repo2docker",
            "--ref=" + request.ResolvedRef,
            "--image=" + request.ImageName,
            "--no-clean",
            "--no-run",
            "--json-logs",
            "--user-name=jovyan",
            "--user-id=1000",
        };
        if (appendix is { Length: > 0 })
        {
            args.Add("--appendix");
            args.Add(appendix);
        }
        if (push) args.Add("--push");
        args.AddRange(extraArgs);
        args.Add(request.RepoUrl);
        return args;
    }
}
