namespace BinderOrleans.Core.Builds;

/// <summary>
/// The service image's <c>build</c> command, which the buildpacks build pod runs (<c>Kubernetes:Builder=buildpacks</c>):
/// <c>build --repo=URL --ref=COMMIT --image=NAME --build-name=NAME --provider=ID [--push]</c>. Every value is joined to
/// its option by <c>=</c>, so no value (a URL starting with <c>-</c> included) can be read as an option. The service
/// formats it for the pod; the image parses it. Arguments of the form <c>--Section:Key=value</c> are configuration.
/// </summary>
internal static class BuildpacksCommand
{
    public const string Verb = "build";

    private const string Repo = "--repo=";
    private const string Ref = "--ref=";
    private const string Image = "--image=";
    private const string BuildName = "--build-name=";
    private const string Provider = "--provider=";
    private const string Push = "--push";

    /// <summary>Whether <paramref name="args"/> ask for the <c>build</c> command rather than the server.</summary>
    public static bool IsBuild(IReadOnlyList<string> args) => args.Count > 0 && args[0] == Verb;

    public static List<string> Arguments(BuildRequest request, bool push)
    {
        var args = new List<string>
        {
            Verb,
            Repo + request.RepoUrl,
            Ref + request.ResolvedRef,
            Image + request.ImageName,
            BuildName + request.BuildName,
            Provider + request.ProviderId,
        };
        if (push) args.Add(Push);
        return args;
    }

    /// <summary>
    /// The request and <c>--push</c> from <paramref name="args"/> (starting with <see cref="Verb"/>), the configuration
    /// arguments left over, or an error naming what is missing or unknown.
    /// </summary>
    public static (BuildRequest? Request, bool Push, List<string> Configuration, string? Error) Parse(IReadOnlyList<string> args, string? gitCredentials)
    {
        string? repo = null, reference = null, image = null, buildName = null, provider = null;
        var push = false;
        var configuration = new List<string>();
        foreach (var arg in args.Skip(1))
        {
            if (Value(arg, Repo) is { } r) repo = r;
            else if (Value(arg, Ref) is { } f) reference = f;
            else if (Value(arg, Image) is { } i) image = i;
            else if (Value(arg, BuildName) is { } b) buildName = b;
            else if (Value(arg, Provider) is { } p) provider = p;
            else if (arg == Push) push = true;
            else if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf(':', StringComparison.Ordinal) is > 2 and var colon
                     && arg.IndexOf('=', StringComparison.Ordinal) is var equals && (equals < 0 || colon < equals))
            {
                configuration.Add(arg);
            }
            else return (null, false, configuration, $"unknown argument '{arg}'. " + Usage);
        }
        var missing = new[] { (repo, "--repo"), (reference, "--ref"), (image, "--image") }
            .Where(x => string.IsNullOrEmpty(x.Item1)).Select(x => x.Item2).ToList();
        if (missing.Count > 0) return (null, false, configuration, $"missing {string.Join(", ", missing)}. " + Usage);
        var request = new BuildRequest(image!, string.IsNullOrEmpty(buildName) ? "build" : buildName, repo!, reference!,
            string.IsNullOrEmpty(provider) ? "git" : provider, string.IsNullOrEmpty(gitCredentials) ? null : gitCredentials);
        return (request, push, configuration, null);
    }

    public const string Usage = "Usage: build --repo=URL --ref=COMMIT --image=NAME [--build-name=NAME] [--provider=ID] [--push] [--Section:Key=value …]";

    private static string? Value(string arg, string prefix) => arg.StartsWith(prefix, StringComparison.Ordinal) ? arg[prefix.Length..] : null;
}
