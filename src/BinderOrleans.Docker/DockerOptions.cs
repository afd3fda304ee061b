namespace BinderOrleans.Docker;

/// <summary>Docker backend settings, section <c>Docker</c>.</summary>
public sealed class DockerOptions
{
    public const string Section = "Docker";

    public const string DefaultHost = "unix:///var/run/docker.sock";
    public const string DefaultApiVersion = "1.41";
    public const string DefaultNetworkMode = "host";
    public const string DefaultServerIp = "127.0.0.1";
    public const string DefaultPublicHost = "127.0.0.1";

    /// <summary>
    /// <c>Docker:Host</c>: the engine endpoint, <c>unix:///path</c> or <c>tcp://host:port</c>.
    /// Default: the <c>DOCKER_HOST</c> environment variable, else <c>unix:///var/run/docker.sock</c>.
    /// </summary>
    public string Host { get; set; } = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : DefaultHost;

    /// <summary><c>Docker:ApiVersion</c>: Engine API version used in every path (<c>/v1.41/…</c>). Default 1.41 (Docker 20.10).</summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary><c>Docker:NetworkMode</c>: network mode of builds and launched servers. Default <c>host</c>.</summary>
    public string NetworkMode { get; set; } = DefaultNetworkMode;

    /// <summary><c>Docker:WorkDirectory</c>: where checkouts are made (one temp folder per build, always deleted). Default: the system temp folder.</summary>
    public string WorkDirectory { get; set; } = "";

    /// <summary><c>Docker:Labels</c>: extra labels put on every image built and every container started (operators tag their resources with these).</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>Docker:ServerIp</c>: address the notebook server listens on (<c>--ip</c>). Default <c>127.0.0.1</c>.</summary>
    public string ServerIp { get; set; } = DefaultServerIp;

    /// <summary><c>Docker:PublicHost</c>: host name put in the <c>ready</c> URL. Default <c>127.0.0.1</c>.</summary>
    public string PublicHost { get; set; } = DefaultPublicHost;

    /// <summary>
    /// <c>Docker:ServerCommand</c>: command of a launched server, replacing the image's CMD (the entrypoint stays, so
    /// <c>start</c> runs); the address, port and token arguments are appended. Default <c>python3 -m notebook</c>.
    /// BinderHub does the same with its fixed single-user command.
    /// </summary>
    public List<string> ServerCommand { get; set; } = [];

    /// <summary>The command used when <see cref="ServerCommand"/> is empty.</summary>
    public static IReadOnlyList<string> DefaultServerCommand { get; } = ["python3", "-m", "notebook"];

    /// <summary><c>Docker:LaunchTimeout</c>: how long a new server may take to answer <c>/api/status</c>. Default 120 s.</summary>
    public TimeSpan LaunchTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary><c>Docker:CullIdleAfter</c>: launched servers idle longer than this are removed. Default 1 h.</summary>
    public TimeSpan CullIdleAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary><c>Docker:CullInterval</c>: time between two culler passes. Default 5 min.</summary>
    public TimeSpan CullInterval { get; set; } = TimeSpan.FromMinutes(5);
}
