using BinderOrleans.Core.Options;

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
    public const string DefaultServerNetwork = "binderorleans";
    public const string DefaultMemoryLimit = "2G";
    public const double DefaultCpuLimit = 1.0;
    public const long DefaultPidsLimit = 1024;
    public const int DefaultUserId = 1000;

    /// <summary>The <see cref="ServerNetwork"/> value that keeps the old behaviour: servers in the host's network.</summary>
    public const string HostNetwork = "host";

    /// <summary>The port a server listens on inside its own network; the engine publishes it on a loopback port.</summary>
    public const int ContainerPort = 8888;

    /// <summary>
    /// <c>Docker:Host</c>: the engine endpoint, <c>unix:///path</c> or <c>tcp://host:port</c>.
    /// Default: the <c>DOCKER_HOST</c> environment variable, else <c>unix:///var/run/docker.sock</c>.
    /// </summary>
    public string Host { get; set; } = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : DefaultHost;

    /// <summary><c>Docker:ApiVersion</c>: Engine API version used in every path (<c>/v1.41/…</c>). Default 1.41 (Docker 20.10).</summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary><c>Docker:NetworkMode</c>: network mode of builds (their <c>RUN</c> steps). Default <c>host</c>.</summary>
    public string NetworkMode { get; set; } = DefaultNetworkMode;

    /// <summary><c>Docker:WorkDirectory</c>: where checkouts are made (one temp folder per build, always deleted). Default: the system temp folder.</summary>
    public string WorkDirectory { get; set; } = "";

    /// <summary><c>Docker:Labels</c>: extra labels put on every image built and every container started (operators tag their resources with these).</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// <c>Docker:ServerNetwork</c>: the network launched servers join. Default <c>binderorleans</c>: a bridge network the
    /// launcher creates when missing; a server listens on port 8888 inside it and the engine publishes that on
    /// <see cref="ServerIp"/>, so a notebook cannot reach services that listen on the host's loopback. Any existing
    /// network name works the same way. <c>host</c> puts servers in the host's network (no isolation), listening on
    /// <see cref="ServerIp"/> directly.
    /// </summary>
    public string ServerNetwork { get; set; } = DefaultServerNetwork;

    /// <summary>
    /// <c>Docker:MemoryLimit</c>: memory a server may use, swap included; past it the kernel kills the process that
    /// allocates (BinderHub's <c>mem_limit</c>: bytes, or a number with K, M, G or T, powers of 1024). <c>0</c> = no limit. Default 2G.
    /// </summary>
    public string MemoryLimit { get; set; } = DefaultMemoryLimit;

    /// <summary><c>Docker:CpuLimit</c>: CPU cores a server may use, fractions allowed (BinderHub's <c>cpu_limit</c>). <c>0</c> = no limit. Default 1.</summary>
    public double CpuLimit { get; set; } = DefaultCpuLimit;

    /// <summary><c>Docker:PidsLimit</c>: processes and threads a server may run (stops fork bombs). <c>0</c> = no limit. Default 1024.</summary>
    public long PidsLimit { get; set; } = DefaultPidsLimit;

    /// <summary>
    /// <c>Docker:UserId</c>: the uid a launched server runs as, whatever user its image ends with (Zero to JupyterHub's
    /// <c>singleuser.uid</c>, which mybinder.org keeps at 1000), so a Dockerfile that ends as root starts as it does
    /// there. The group is the one the image's <c>/etc/passwd</c> gives that uid. Default 1000; empty: the image's own user.
    /// </summary>
    public int? UserId { get; set; } = DefaultUserId;

    /// <summary><c>Docker:ServerIp</c>: the host address a server is reached on (published there, or listening there with <c>host</c>). Default <c>127.0.0.1</c>.</summary>
    public string ServerIp { get; set; } = DefaultServerIp;

    /// <summary>
    /// <c>Docker:Proxy</c>: servers are reached through this service's own port, at <c>&lt;Binder:BaseUrl&gt;user/&lt;server&gt;/</c>
    /// (an in-process reverse proxy that carries WebSockets and streams), and no host port is published: the proxy
    /// talks to the server over <see cref="ServerNetwork"/> (the container's address there, port 8888). The server's
    /// <c>base_url</c> is set to that path and <c>ready</c>'s <c>url</c> points there. Default true, except with
    /// <c>Orleans:Clustering=redis</c> (several replicas, perhaps on other engines), where it is false unless set. False publishes each
    /// server on its own port of <see cref="ServerIp"/> and puts <c>http://&lt;PublicHost&gt;:&lt;port&gt;/</c> in <c>ready</c>.
    /// The service must be able to reach the network's addresses (it runs on the engine's host, or in a container
    /// attached to that network). A replica asked for a server another replica started forwards the request to that
    /// replica (<c>IServerLocationGrain</c>).
    /// </summary>
    public bool Proxy { get; set; } = true;

    /// <summary><c>Docker:PublicHost</c>: host name put in the <c>ready</c> URL when <see cref="Proxy"/> is off. Default <c>127.0.0.1</c>.</summary>
    public string PublicHost { get; set; } = DefaultPublicHost;

    /// <summary>
    /// <c>Docker:ServerCommand</c>: command of a launched server, replacing the image's CMD (the entrypoint stays, so
    /// <c>start</c> runs); the address, port and token arguments are appended. Default <c>python3 -m notebook</c>.
    /// BinderHub does the same with its fixed single-user command.
    /// </summary>
    public List<string> ServerCommand { get; set; } = [];

    /// <summary>The command used when <see cref="ServerCommand"/> is empty.</summary>
    public static IReadOnlyList<string> DefaultServerCommand { get; } = ["python3", "-m", "notebook"];

    /// <summary><c>Docker:LaunchTimeout</c>: how long a new server may take to answer <c>/api/status</c>, from its start. Default 120 s.</summary>
    public TimeSpan LaunchTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// <c>Docker:MaxConcurrentStarts</c>: servers this process starts at once; further launches wait their turn (and
    /// say so). A slot is held from the container's creation until its server answers, fails, or has had
    /// <see cref="StartSlotHold"/>. Default two per CPU core; <c>0</c> = no limit. Starting more Jupyter servers than the
    /// cores can run only slows every one of them down, until all miss <see cref="LaunchTimeout"/>.
    /// </summary>
    public int MaxConcurrentStarts { get; set; } = 2 * Environment.ProcessorCount;

    /// <summary>How long one start may hold its slot: a slow <c>start</c> script must not keep everyone else waiting.</summary>
    public static readonly TimeSpan StartSlotHold = TimeSpan.FromSeconds(30);

    /// <summary><c>Docker:CullIdleAfter</c>: launched servers idle longer than this are removed. Default 1 h.</summary>
    public TimeSpan CullIdleAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary><c>Docker:CullInterval</c>: time between two culler passes (servers, and build leftovers). Default 5 min.</summary>
    public TimeSpan CullInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>Docker:ImageRetention</c>: remove built images from the local engine after <c>UnusedDays</c> without a launch,
    /// and beyond <c>MaxSize</c> (bytes not shared with other images) least recently used first; <c>DryRun</c> only logs.
    /// Only images this service built (labelled <c>repo2docker.ref</c>, with every <see cref="Labels"/> label, named
    /// under <c>Binder:ImagePrefix</c>), never one a container uses, never the base image. Off by default.
    /// </summary>
    public ImageRetentionOptions ImageRetention { get; set; } = new();

    /// <summary>
    /// <c>Docker:WarmImages</c>: keep the N most launched images pulled on the local engine (from the registry, checked
    /// every <see cref="WarmInterval"/>), so a cached launch never waits for a pull; image retention keeps them too.
    /// Needs <c>Registry:Enabled</c> and the Docker launcher. Default 0 (off).
    /// </summary>
    public int WarmImages { get; set; }

    /// <summary><c>Docker:WarmInterval</c>: time between two checks of the warm images. Default 5 min.</summary>
    public TimeSpan WarmInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><see cref="MemoryLimit"/> in bytes (0 = none); null when it cannot be read.</summary>
    public long? MemoryLimitBytes => ByteSize.TryParse(MemoryLimit, out var bytes) ? bytes : null;
}
