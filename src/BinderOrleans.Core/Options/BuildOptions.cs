namespace BinderOrleans.Core.Options;

/// <summary>Build settings, section <c>Build</c>.</summary>
public sealed class BuildOptions
{
    public const string Section = "Build";

    /// <summary><c>Build:BaseImage</c>: image every generated Dockerfile starts FROM. Default <c>binderorleans-base:bookworm</c> (made by scripts/setup.sh).</summary>
    public string BaseImage { get; set; } = DefaultBaseImage;

    public const string DefaultBaseImage = "binderorleans-base:bookworm";

    /// <summary>
    /// <c>Build:Builder</c> (Docker backend): <c>buildpacks</c> (default, the built-in repo2docker-compatible Dockerfile
    /// generator) or <c>repo2docker</c> (run <see cref="Repo2DockerImage"/> against the local engine, as BinderHub's build
    /// pod does). The Kubernetes backend always runs repo2docker (<c>Kubernetes:BuildImage</c>).
    /// </summary>
    public string Builder { get; set; } = BuildpacksBuilder;

    public const string BuildpacksBuilder = "buildpacks";
    public const string Repo2DockerBuilder = "repo2docker";

    /// <summary><c>Build:Repo2DockerImage</c>: the repo2docker image run with <c>Build:Builder = repo2docker</c>; pulled when the engine lacks it. Default <see cref="DefaultRepo2DockerImage"/>.</summary>
    public string Repo2DockerImage { get; set; } = DefaultRepo2DockerImage;

    public const string DefaultRepo2DockerImage = "quay.io/jupyterhub/repo2docker:2024.07.0";

    /// <summary><c>Build:ConcurrentLimit</c>: builds running at once in this process; more wait in a queue that tells its position. Default 8.</summary>
    public int ConcurrentLimit { get; set; } = 8;

    /// <summary><c>Build:NoOutputTimeout</c>: a build silent this long is stopped (BinderHub #1660). Default 10 min.</summary>
    public TimeSpan NoOutputTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><c>Build:MaxDuration</c>: a build running this long is stopped (BinderHub's max_age). Default 4 h.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(4);

    /// <summary><c>Build:MaxLogEvents</c>: events kept per build for replay; later log lines are dropped with a note. Default 50 000.</summary>
    public int MaxLogEvents { get; set; } = 50_000;

    /// <summary>
    /// <c>Build:FailedBuildLinger</c>: how long a failed build is remembered: requests for the same image in that time get its
    /// log replayed instead of a new build. A successful build is forgotten at once (its image is found). Default 30 s.
    /// </summary>
    public TimeSpan FailedBuildLinger { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>Build:QueuePollInterval</c>: how often a build waiting in the cluster-wide queue asks for a slot, and the step of
    /// its position updates. Default 1 s.
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>Build:QueueSlotLease</c>: a running build renews its queue slot (every third of this); a slot not renewed for this
    /// long (its replica died) is given to the next in line. Default 30 s.
    /// </summary>
    public TimeSpan QueueSlotLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>Build:LogDirectory</c>: folder where the logs of finished builds are kept (the file-system build-log store).
    /// Default: <c>binderorleans/build-logs</c> under the user's local data folder (<c>$XDG_DATA_HOME</c> or <c>~/.local/share</c>).
    /// </summary>
    public string LogDirectory { get; set; } = "";

    /// <summary><c>Build:LogRetention</c>: how long a build log stays readable. Default 7 days.</summary>
    public TimeSpan LogRetention { get; set; } = DefaultLogRetention;

    public static readonly TimeSpan DefaultLogRetention = TimeSpan.FromDays(7);

    /// <summary><c>Build:LogStoreLimit</c>: most bytes all kept build logs may take; the oldest go first. Default 1 GiB.</summary>
    public long LogStoreLimit { get; set; } = DefaultLogStoreLimit;

    public const long DefaultLogStoreLimit = 1L << 30;
}
