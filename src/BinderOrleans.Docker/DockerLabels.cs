using System.Reflection;

namespace BinderOrleans.Docker;

/// <summary>Label keys this backend puts on images and containers.</summary>
internal static class DockerLabels
{
    /// <summary>repo2docker's labels, so tools that read them work on our images.</summary>
    public const string Repo = "repo2docker.repo";
    public const string Ref = "repo2docker.ref";

    /// <summary>repo2docker puts its own version here; we put ours (<see cref="BuilderVersion"/>), so an image says what built it.</summary>
    public const string Version = "repo2docker.version";

    /// <summary><c>binderorleans-&lt;version&gt;</c>: the value of <see cref="Version"/> on images this backend generates.</summary>
    public static string BuilderVersion { get; } = "binderorleans-" + (typeof(DockerLabels).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    /// <summary>The build name (<see cref="Core.Ports.BuildRequest.BuildName"/>) on images we built.</summary>
    public const string Build = "binderorleans.build";

    /// <summary>Marks a launched server container; the value is the launch id.</summary>
    public const string Launch = "binderorleans.launch";
    public const string LaunchRepo = "binderorleans.repo";
    public const string LaunchImage = "binderorleans.image";
    public const string LaunchCreated = "binderorleans.created";
    public const string LaunchPort = "binderorleans.port";

    /// <summary>The launch session a server container is for (<see cref="Core.Launches.LaunchRequest.SessionId"/>).</summary>
    public const string LaunchSession = "binderorleans.session";

    /// <summary>Marks a repo2docker builder container (<c>Build:Builder = repo2docker</c>); the value is the build name.</summary>
    public const string Repo2DockerBuild = "binderorleans.repo2docker-build";

    /// <summary>Marks the short-lived container that reads the base image's Python version.</summary>
    public const string Probe = "binderorleans.probe";

    /// <summary>The value of <paramref name="key"/>, or null (the engine's label maps may be null).</summary>
    public static string? Get(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    /// <summary>Docker accepts almost anything; we keep keys to the reverse-DNS style so they survive a Dockerfile LABEL line.</summary>
    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= 255 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/');
}
