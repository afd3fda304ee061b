using BinderOrleans.Core.Options;

namespace BinderOrleans.Registry;

/// <summary>
/// Registry settings, section <c>Registry</c> (BinderHub's <c>use_registry</c> and <c>DockerRegistry</c>).
/// With a registry, every image is looked up by manifest, pushed after its build and pulled before a launch,
/// so every node and every restart finds what was built before. Image names come from <c>Binder:ImagePrefix</c>,
/// which then starts with the registry host (e.g. <c>127.0.0.1:5000/binder/</c>).
/// </summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    /// <summary><c>Registry:Enabled</c>: use a registry instead of the local engine's image store. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// <c>Registry:Url</c>: the registry's base URL, e.g. <c>http://127.0.0.1:5000</c>.
    /// Default: the first <c>auths</c> key of the Docker config file (with <c>https://</c> added), as BinderHub.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// <c>Registry:TokenUrl</c>: fetch a bearer token here before every lookup (ACR, Harbor, GCR…).
    /// Default: gcr.io's and Docker Hub's well-known token URLs for those hosts, otherwise none
    /// (basic auth, and the registry's <c>WWW-Authenticate: Bearer</c> challenge when it sends one).
    /// </summary>
    public string TokenUrl { get; set; } = "";

    /// <summary><c>Registry:Username</c>: overrides the Docker config file's credentials. Default none.</summary>
    public string Username { get; set; } = "";

    /// <summary><c>Registry:Password</c>: never logged. Default none.</summary>
    public string Password { get; set; } = "";

    /// <summary>
    /// <c>Registry:DockerConfig</c> (environment <c>DOCKER_CONFIG</c>): the folder holding <c>config.json</c>,
    /// or the file itself when the path ends in <c>.json</c>. Default <c>~/.docker/config.json</c>; a missing file means no credentials.
    /// </summary>
    public string DockerConfig { get; set; } = "";

    /// <summary>
    /// <c>Registry:NotFoundOn401</c>: a 401 after a token was obtained means "no such image" (Docker Hub answers
    /// missing repositories that way). Default: true for <c>*.docker.io</c>, false elsewhere.
    /// </summary>
    public bool? NotFoundOn401 { get; set; }

    /// <summary><c>Registry:Timeout</c>: one HTTP request to the registry or its token server. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Registry:Attempts</c>: tries of a lookup when the registry is unreachable or answers 5xx. Default 3.</summary>
    public int Attempts { get; set; } = DefaultAttempts;

    /// <summary><c>Registry:RetryDelay</c>: wait before the second try; doubles after that. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>Registry:Retention</c>: delete images from the registry (manifest DELETE; the registry must allow deletes)
    /// after <c>UnusedDays</c> without a launch, and beyond <c>MaxSize</c> least recently used first; <c>DryRun</c> only
    /// logs. Off by default. The registry's own garbage collection frees the disk afterwards (docs/docker.md).
    /// </summary>
    public ImageRetentionOptions Retention { get; set; } = new();

    public const int DefaultAttempts = 3;
}
