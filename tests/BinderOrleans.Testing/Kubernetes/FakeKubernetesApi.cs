using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>
/// A Kubernetes API server on 127.0.0.1 with a free port, speaking the real JSON for the CoreV1 pod subset BinderHub
/// uses: create (201, 409 AlreadyExists), get, list by label selector, watch (chunked, one event per line, honouring
/// <c>timeoutSeconds</c> and <c>resourceVersion</c>, 410 once history is expired), log follow (chunked lines that the
/// test feeds), delete (404 NotFound), <c>/version</c>; errors are <c>Status</c> objects; bearer-token or client
/// certificate authentication. The test plays the kubelet: it moves pods through their phases and writes their logs.
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Namespace, string Name), FakePod> _pods = [];
    private readonly List<(long Version, string Type, FakePod Pod, JsonObject Snapshot)> _history = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly Dictionary<string, JsonObject> _posted = [];
    private readonly List<string> _deleted = [];
    private readonly HashSet<string> _built = [];
    private readonly WebApplication _app;
    private long _resourceVersion = 1000;
    private long _oldestKept;
    private int _creates;
    private int _conflicts;
    private int _deleteMisses;
    private int _unauthorized;
    private int _expiredWatches;
    private TaskCompletionSource _changed = NewSignal();

    private FakeKubernetesApi(WebApplication app, X509Certificate2? certificate, X509Certificate2? clientCertificate)
    {
        _app = app;
        ServerCertificate = certificate;
        TrustedClientCertificate = clientCertificate;
    }

    public const string DefaultNamespace = "binder-test";

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The bearer token accepted; change it to play a rotated service account token.</summary>
    public string Token { get; set; } = "fake-token";

    public X509Certificate2? ServerCertificate { get; }

    /// <summary>A client certificate accepted instead of a token (mTLS users).</summary>
    public X509Certificate2? TrustedClientCertificate { get; }

    /// <summary>Closes every watch after this long, whatever <c>timeoutSeconds</c> asked (real servers also cut watches early).</summary>
    public TimeSpan? WatchTimeoutCap { get; set; }

    public int Creates { get { lock (_gate) return _creates; } }

    public int Conflicts { get { lock (_gate) return _conflicts; } }

    /// <summary>Pods deleted through the API, in order (404 answers not counted).</summary>
    public IReadOnlyList<string> Deletions { get { lock (_gate) return [.. _deleted]; } }

    public int DeleteMisses { get { lock (_gate) return _deleteMisses; } }

    public IReadOnlyList<RecordedRequest> Requests { get { lock (_gate) return [.. _requests]; } }

    /// <summary>The <c>--image=</c> of every build pod that succeeded: what a real build pod would have pushed.</summary>
    public IReadOnlySet<string> BuiltImages { get { lock (_gate) return new HashSet<string>(_built); } }

    /// <summary>Requests answered 401 (wrong or stale token).</summary>
    public int Unauthorized { get { lock (_gate) return _unauthorized; } }

    /// <summary>Watches answered with ERROR 410 Gone.</summary>
    public int ExpiredWatches { get { lock (_gate) return _expiredWatches; } }

    /// <param name="https">Serve TLS with a certificate from <paramref name="certificates"/> (made here when null).</param>
    /// <param name="clientCertificate">Also accept this client certificate in place of a token.</param>
    public static async Task<FakeKubernetesApi> StartAsync(bool https = false, TestCertificates? certificates = null, X509Certificate2? clientCertificate = null)
    {
        var serverCertificate = https ? (certificates ?? throw new ArgumentNullException(nameof(certificates), "https needs the test CA")).IssueServer() : null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (serverCertificate is null) return;
            listen.UseHttps(serverCertificate, o =>
            {
                o.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                o.AllowAnyClientCertificate();
            });
        }));
        var app = builder.Build();
        var fake = new FakeKubernetesApi(app, serverCertificate, clientCertificate);
        fake.Map(app);
        fake.BaseUri = await LoopbackHost.StartAsync(app).ConfigureAwait(false);
        return fake;
    }

    /// <summary>Writes a kubeconfig for this server (token user unless a client certificate is given) and returns its path.</summary>
    public string WriteKubeconfig(string directory, string @namespace = DefaultNamespace, string? token = null, TestCertificates? certificates = null,
        X509Certificate2? clientCertificate = null, bool insecureSkipTlsVerify = false)
    {
        static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        var cluster = new StringBuilder($"    server: {BaseUri.AbsoluteUri.TrimEnd('/')}\n");
        if (certificates is not null) cluster.Append($"    certificate-authority-data: {B64(certificates.AuthorityPem)}\n");
        if (insecureSkipTlsVerify) cluster.Append("    insecure-skip-tls-verify: true\n");
        var user = clientCertificate is not null
            ? $"    client-certificate-data: {B64(CertificatePem.Certificate(clientCertificate))}\n    client-key-data: {B64(CertificatePem.Key(clientCertificate))}\n"
            : $"    token: {token ?? Token}\n";
        var yaml = $"""
            apiVersion: v1
            kind: Config
            preferences: {"{}"}
            current-context: fake
            clusters:
            - name: fake-cluster
              cluster:
            {cluster}contexts:
            - name: fake
              context:
                cluster: fake-cluster
                user: fake-user
                namespace: {@namespace}
            users:
            - name: fake-user
              user:
            {user}
            """;
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, yaml);
        return path;
    }

    // ---- the test's side: play the kubelet ----

    /// <summary>Waits until a pod of that name exists and returns its current object.</summary>
    public async Task<JsonObject> WaitForPodAsync(string name, TimeSpan timeout, string @namespace = DefaultNamespace)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (_pods.TryGetValue((@namespace, name), out var pod)) return (JsonObject)pod.Object.DeepClone();
                signal = _changed.Task;
            }
            try
            {
                await signal.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"pod {@namespace}/{name} was not created within {timeout}");
            }
        }
    }

    /// <summary>The pod object as the client POSTed it (before the server added status and metadata).</summary>
    public JsonObject? Posted(string name)
    {
        lock (_gate) return _posted.TryGetValue(name, out var body) ? (JsonObject)body.DeepClone() : null;
    }

    public JsonObject? Pod(string name, string @namespace = DefaultNamespace)
    {
        lock (_gate) return _pods.TryGetValue((@namespace, name), out var pod) ? (JsonObject)pod.Object.DeepClone() : null;
    }

    /// <summary>Pending → Running: the container started (its log can be read from now on).</summary>
    public void Run(string name, string @namespace = DefaultNamespace) => Update(@namespace, name, pod =>
    {
        var status = Status(pod.Object);
        status["phase"] = "Running";
        status["startTime"] ??= Timestamp(DateTimeOffset.UtcNow);
        status["containerStatuses"] = ContainerStatuses(pod, new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Timestamp(DateTimeOffset.UtcNow) } }, true);
    });

    /// <summary>The container exited 0: the log ends, phase Succeeded.</summary>
    public void Succeed(string name, string @namespace = DefaultNamespace) => Update(@namespace, name, pod =>
    {
        pod.LogEnded = true;
        foreach (var arg in pod.Object["spec"]?["containers"]?[0]?["args"]?.AsArray() ?? [])
        {
            if ((string?)arg is { } text && text.StartsWith("--image=", StringComparison.Ordinal)) _built.Add(text["--image=".Length..]);
        }
        var status = Status(pod.Object);
        status["phase"] = "Succeeded";
        status["containerStatuses"] = ContainerStatuses(pod, Terminated(0, "Completed", null), false);
    });

    /// <summary>The container exited non-zero (or the pod was evicted): the log ends, phase Failed.</summary>
    public void Fail(string name, string containerReason = "Error", int exitCode = 1, string? podReason = null, string? podMessage = null,
        string @namespace = DefaultNamespace) => Update(@namespace, name, pod =>
    {
        pod.LogEnded = true;
        var status = Status(pod.Object);
        status["phase"] = "Failed";
        if (podReason is not null) status["reason"] = podReason;
        if (podMessage is not null) status["message"] = podMessage;
        status["containerStatuses"] = ContainerStatuses(pod, Terminated(exitCode, containerReason, null), false);
    });

    /// <summary>Lines written by the container; followers get them at once.</summary>
    public void AppendLog(string name, params string[] lines) => AppendLog(DefaultNamespace, name, lines);

    public void AppendLog(string @namespace, string name, IEnumerable<string> lines)
    {
        lock (_gate)
        {
            var pod = _pods[(@namespace, name)];
            pod.Log.AddRange(lines);
            Signal();
        }
    }

    /// <summary>Cuts every open log stream of the pod mid-way (a kubelet restart, a proxy timeout); the container keeps running.</summary>
    public int BreakLogStreams(string name, string @namespace = DefaultNamespace)
    {
        lock (_gate)
        {
            var followers = _pods[(@namespace, name)].Followers.ToList();
            foreach (var follower in followers) follower.Abort();
            return followers.Count;
        }
    }

    /// <summary>Puts a pod in place directly (one made earlier, or by another replica), in the given phase.</summary>
    public void AddPod(JsonObject pod, string phase, DateTimeOffset? startTime = null, string @namespace = DefaultNamespace)
    {
        var name = (string)pod["metadata"]!["name"]!;
        lock (_gate)
        {
            var stored = Store(@namespace, name, (JsonObject)pod.DeepClone());
            var status = Status(stored.Object);
            status["phase"] = phase;
            if (startTime is { } started) status["startTime"] = Timestamp(started);
            if (phase is "Succeeded" or "Failed") stored.LogEnded = true;
            Record("ADDED", stored);
        }
    }

    /// <summary>Deletes a pod as <c>kubectl delete</c> would (someone else's deletion: not in <see cref="Deletions"/>).</summary>
    public void DeletePod(string name, string @namespace = DefaultNamespace)
    {
        lock (_gate) Remove(@namespace, name);
    }

    /// <summary>
    /// Other objects change and etcd compacts: every resource version handed out so far becomes too old, so a watch
    /// that resumes from one gets <c>ERROR</c> 410 Gone ("too old resource version") and must list again.
    /// </summary>
    public void ExpireResourceVersions()
    {
        lock (_gate)
        {
            _resourceVersion += 10;
            _oldestKept = _resourceVersion;
        }
    }

    // ---- the API ----

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            lock (_gate) _requests.Add(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? ""));
            if (!Authenticated(context))
            {
                lock (_gate) _unauthorized++;
                await WriteStatusAsync(context, 401, "Unauthorized", "Unauthorized").ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
        app.MapGet("/version", context => WriteJsonAsync(context, 200, new JsonObject
        {
            ["major"] = "1", ["minor"] = "31", ["gitVersion"] = "v1.31.0-fake", ["platform"] = "linux/amd64",
        }));
        app.MapPost("/api/v1/namespaces/{ns}/pods", CreateAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods", ListOrWatchAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", GetAsync);
        app.MapDelete("/api/v1/namespaces/{ns}/pods/{name}", DeleteAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", LogAsync);
    }

    private bool Authenticated(HttpContext context)
    {
        if (TrustedClientCertificate is { } trusted && context.Connection.ClientCertificate?.Thumbprint == trusted.Thumbprint) return true;
        return context.Request.Headers.Authorization.ToString() == "Bearer " + Token;
    }

    private async Task CreateAsync(HttpContext context)
    {
        var ns = (string)context.Request.RouteValues["ns"]!;
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false) as JsonObject;
        }
        catch (System.Text.Json.JsonException ex)
        {
            await WriteStatusAsync(context, 400, "BadRequest", ex.Message).ConfigureAwait(false);
            return;
        }
        var name = (string?)body?["metadata"]?["name"];
        if (body is null || string.IsNullOrEmpty(name))
        {
            await WriteStatusAsync(context, 422, "Invalid", "Pod \"\" is invalid: metadata.name: Required value: name or generateName is required").ConfigureAwait(false);
            return;
        }
        JsonObject? created = null;
        lock (_gate)
        {
            if (_pods.ContainsKey((ns, name)))
            {
                _conflicts++;
            }
            else
            {
                _creates++;
                _posted[name] = (JsonObject)body.DeepClone();
                var pod = Store(ns, name, body);
                Status(pod.Object)["phase"] = "Pending";
                Record("ADDED", pod);
                created = (JsonObject)pod.Object.DeepClone();
            }
        }
        if (created is null)
        {
            await WriteStatusAsync(context, 409, "AlreadyExists", $"pods \"{name}\" already exists", name).ConfigureAwait(false);
            return;
        }
        await WriteJsonAsync(context, 201, created).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext context)
    {
        var (ns, name) = Route(context);
        JsonObject? pod;
        lock (_gate) pod = _pods.TryGetValue((ns, name), out var p) ? (JsonObject)p.Object.DeepClone() : null;
        if (pod is null) await WriteStatusAsync(context, 404, "NotFound", $"pods \"{name}\" not found", name).ConfigureAwait(false);
        else await WriteJsonAsync(context, 200, pod).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var (ns, name) = Route(context);
        JsonObject? last;
        lock (_gate)
        {
            last = _pods.ContainsKey((ns, name)) ? Remove(ns, name) : null;
            if (last is null) _deleteMisses++;
            else _deleted.Add(name);
        }
        if (last is null) await WriteStatusAsync(context, 404, "NotFound", $"pods \"{name}\" not found", name).ConfigureAwait(false);
        else await WriteJsonAsync(context, 200, last).ConfigureAwait(false);
    }

    private async Task ListOrWatchAsync(HttpContext context)
    {
        var ns = (string)context.Request.RouteValues["ns"]!;
        var query = context.Request.Query;
        var selector = new LabelSelector(query["labelSelector"]);
        if (query["watch"] is { Count: > 0 } watch && (watch.ToString() is "1" or "true"))
        {
            var seconds = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var s) ? s : 1800;
            await WatchAsync(context, ns, selector, query["resourceVersion"].ToString(), TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            return;
        }
        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
        JsonArray items;
        string version;
        lock (_gate)
        {
            items = new JsonArray(_pods.Values.Where(p => p.Namespace == ns && selector.Matches(p.Object))
                .OrderBy(p => p.Name, StringComparer.Ordinal).Take(limit).Select(p => (JsonNode?)p.Object.DeepClone()).ToArray());
            version = _resourceVersion.ToString(CultureInfo.InvariantCulture);
        }
        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["kind"] = "PodList",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = version },
            ["items"] = items,
        }).ConfigureAwait(false);
    }

    private async Task WatchAsync(HttpContext context, string ns, LabelSelector selector, string resourceVersion, TimeSpan timeout)
    {
        if (WatchTimeoutCap is { } cap && cap < timeout) timeout = cap;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _app.Lifetime.ApplicationStopping);
        cts.CancelAfter(timeout);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(cts.Token).ConfigureAwait(false);

        var pending = new List<string>();
        long cursor;
        lock (_gate)
        {
            if (resourceVersion is "" or "0")
            {
                // No version: the current state first, as synthetic ADDED events.
                foreach (var pod in _pods.Values.Where(p => p.Namespace == ns && selector.Matches(p.Object)).OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    pending.Add(Event("ADDED", pod.Object));
                }
                cursor = _resourceVersion;
            }
            else if (!long.TryParse(resourceVersion, CultureInfo.InvariantCulture, out cursor) || cursor < _oldestKept)
            {
                pending.Add(Event("ERROR", StatusObject(410, "Expired", $"too old resource version: {resourceVersion} ({_oldestKept})")));
                _expiredWatches++;
                cursor = long.MaxValue;
            }
        }
        try
        {
            while (true)
            {
                foreach (var line in pending) await context.Response.WriteAsync(line, cts.Token).ConfigureAwait(false);
                if (pending.Count > 0) await context.Response.Body.FlushAsync(cts.Token).ConfigureAwait(false);
                if (cursor == long.MaxValue) return;
                pending.Clear();
                Task signal;
                lock (_gate)
                {
                    foreach (var (version, type, pod, snapshot) in _history)
                    {
                        if (version > cursor && pod.Namespace == ns && selector.Matches(snapshot)) pending.Add(Event(type, snapshot));
                    }
                    cursor = _resourceVersion;
                    signal = _changed.Task;
                }
                if (pending.Count == 0) await signal.WaitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds reached (a clean end of the stream), or the client left.
        }
    }

    private async Task LogAsync(HttpContext context)
    {
        var (ns, name) = Route(context);
        var query = context.Request.Query;
        var follow = query["follow"].ToString() is "true" or "1";
        var container = query["container"].ToString();
        FakePod? pod;
        lock (_gate) pod = _pods.GetValueOrDefault((ns, name));
        if (pod is null)
        {
            await WriteStatusAsync(context, 404, "NotFound", $"pods \"{name}\" not found", name).ConfigureAwait(false);
            return;
        }
        var containerName = (string?)pod.Object["spec"]?["containers"]?[0]?["name"] ?? "";
        if (container.Length > 0 && container != containerName)
        {
            await WriteStatusAsync(context, 400, "BadRequest", $"container {container} is not valid for pod {name}").ConfigureAwait(false);
            return;
        }
        if (pod.Phase == "Pending")
        {
            await WriteStatusAsync(context, 400, "BadRequest", $"container \"{containerName}\" in pod \"{name}\" is waiting to start: ContainerCreating").ConfigureAwait(false);
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _app.Lifetime.ApplicationStopping);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.StartAsync(cts.Token).ConfigureAwait(false);
        int index;
        lock (_gate)
        {
            index = int.TryParse(query["tailLines"], CultureInfo.InvariantCulture, out var tail) ? Math.Max(0, pod.Log.Count - tail) : 0;
            pod.Followers.Add(context);
        }
        try
        {
            while (true)
            {
                List<string> lines;
                bool ended;
                Task signal;
                lock (_gate)
                {
                    lines = pod.Log.Skip(index).ToList();
                    index += lines.Count;
                    ended = pod.LogEnded || pod.Deleted;
                    signal = _changed.Task;
                }
                foreach (var line in lines) await context.Response.WriteAsync(line + "\n", cts.Token).ConfigureAwait(false);
                if (lines.Count > 0) await context.Response.Body.FlushAsync(cts.Token).ConfigureAwait(false);
                if (ended || !follow) return;
                await signal.WaitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left or the server stops.
        }
        finally
        {
            lock (_gate) pod.Followers.Remove(context);
        }
    }

    // ---- state (call with _gate held) ----

    private FakePod Store(string ns, string name, JsonObject body)
    {
        var metadata = body["metadata"] as JsonObject ?? new JsonObject();
        body["metadata"] = metadata;
        metadata["namespace"] = ns;
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Timestamp(DateTimeOffset.UtcNow);
        body["status"] ??= new JsonObject();
        var pod = new FakePod(ns, name, body);
        _pods[(ns, name)] = pod;
        return pod;
    }

    private JsonObject Remove(string ns, string name)
    {
        var pod = _pods[(ns, name)];
        _pods.Remove((ns, name));
        pod.Deleted = true;
        var metadata = (JsonObject)pod.Object["metadata"]!;
        metadata["deletionTimestamp"] = Timestamp(DateTimeOffset.UtcNow);
        metadata["deletionGracePeriodSeconds"] = 0;
        Record("DELETED", pod);
        return (JsonObject)pod.Object.DeepClone();
    }

    private void Update(string ns, string name, Action<FakePod> change)
    {
        lock (_gate)
        {
            var pod = _pods.TryGetValue((ns, name), out var p) ? p : throw new InvalidOperationException($"no pod {ns}/{name}");
            change(pod);
            Record("MODIFIED", pod);
        }
    }

    /// <summary>A new resource version, a history entry for watchers, and a wake-up for everyone waiting.</summary>
    private void Record(string type, FakePod pod)
    {
        var version = ++_resourceVersion;
        pod.Object["metadata"]!["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
        _history.Add((version, type, pod, (JsonObject)pod.Object.DeepClone()));
        Signal();
    }

    private void Signal()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static JsonObject Status(JsonObject pod) => pod["status"] as JsonObject ?? (JsonObject)(pod["status"] = new JsonObject());

    private static JsonArray ContainerStatuses(FakePod pod, JsonObject state, bool ready)
    {
        var container = pod.Object["spec"]?["containers"]?[0];
        return new JsonArray(new JsonObject
        {
            ["name"] = (string?)container?["name"] ?? "builder",
            ["image"] = (string?)container?["image"] ?? "",
            ["state"] = state,
            ["ready"] = ready,
            ["restartCount"] = 0,
        });
    }

    private static JsonObject Terminated(int exitCode, string reason, string? message)
    {
        var detail = new JsonObject
        {
            ["exitCode"] = exitCode,
            ["reason"] = reason,
            ["startedAt"] = Timestamp(DateTimeOffset.UtcNow),
            ["finishedAt"] = Timestamp(DateTimeOffset.UtcNow),
        };
        if (message is not null) detail["message"] = message;
        return new JsonObject { ["terminated"] = detail };
    }

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static (string Namespace, string Name) Route(HttpContext context) =>
        ((string)context.Request.RouteValues["ns"]!, (string)context.Request.RouteValues["name"]!);

    private static string Event(string type, JsonObject obj) =>
        new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString() + "\n";

    private static JsonObject StatusObject(int code, string reason, string message, string? name = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (name is not null) status["details"] = new JsonObject { ["name"] = name, ["kind"] = "pods" };
        status["code"] = code;
        return status;
    }

    private static Task WriteStatusAsync(HttpContext context, int code, string reason, string message, string? name = null) =>
        WriteJsonAsync(context, code, StatusObject(code, reason, message, name));

    private static async Task WriteJsonAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _app.StopAsync(cts.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            ServerCertificate?.Dispose();
        }
    }
}
