using System.Net;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>
/// Stands in for the scheduler and one node, which no machine here can run, next to a real
/// <see cref="KubeApiServer"/>: it registers a Node whose address is loopback, binds pods to it through the binding
/// subresource, moves them through their phases through the status subresource, and serves the kubelet's
/// container-log endpoint over TLS, so <c>pods/log?follow=true</c> goes through the API server's node proxy to it.
/// </summary>
public sealed class TestKubelet : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Namespace, string Pod), PodLogState> _logs = [];
    private readonly WebApplication _app;
    private readonly IKubernetes _admin;
    private readonly TestCertificates _certificates;

    private TestKubelet(WebApplication app, IKubernetes admin, TestCertificates certificates, string nodeName)
    {
        _app = app;
        _admin = admin;
        _certificates = certificates;
        NodeName = nodeName;
    }

    public string NodeName { get; }

    /// <summary>Log requests the API server proxied here (path and query).</summary>
    public List<string> LogRequests { get; } = [];

    public static async Task<TestKubelet> StartAsync(KubeApiServer server, CancellationToken cancellationToken)
    {
        var certificates = TestCertificates.Create();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        var certificate = certificates.IssueServer();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var kubelet = new TestKubelet(app, server.Admin, certificates, "binder-test-node-" + Guid.NewGuid().ToString("N")[..8]);
        app.MapGet("/containerLogs/{ns}/{pod}/{container}", kubelet.ServeLogAsync);
        var address = await LoopbackHost.StartAsync(app).ConfigureAwait(false);

        await server.Admin.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = kubelet.NodeName, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = kubelet.NodeName } },
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var node = await server.Admin.CoreV1.ReadNodeAsync(kubelet.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
        node.Status = new V1NodeStatus
        {
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "127.0.0.1" }, new V1NodeAddress { Type = "Hostname", Address = kubelet.NodeName }],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = address.Port } },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", LastHeartbeatTime = DateTime.UtcNow, LastTransitionTime = DateTime.UtcNow }],
        };
        await server.Admin.CoreV1.ReplaceNodeStatusAsync(node, kubelet.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
        return kubelet;
    }

    /// <summary>The scheduler's part: binds the pod to this node.</summary>
    public Task BindAsync(string @namespace, string pod, CancellationToken cancellationToken) =>
        _admin.CoreV1.CreateNamespacedPodBindingAsync(new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = pod },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = NodeName },
        }, pod, @namespace, cancellationToken: cancellationToken);

    /// <summary>The container started: phase Running, its log readable.</summary>
    public Task RunAsync(string @namespace, string pod, CancellationToken cancellationToken)
    {
        lock (_gate) _logs.TryAdd((@namespace, pod), new PodLogState());
        return UpdateStatusAsync(@namespace, pod, "Running", new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = DateTime.UtcNow } }, cancellationToken);
    }

    /// <summary>The container exited 0: the log ends, phase Succeeded.</summary>
    public Task SucceedAsync(string @namespace, string pod, CancellationToken cancellationToken)
    {
        EndLog(@namespace, pod);
        return UpdateStatusAsync(@namespace, pod, "Succeeded", Terminated(0, "Completed"), cancellationToken);
    }

    /// <summary>The container exited non-zero: the log ends, phase Failed.</summary>
    public Task FailAsync(string @namespace, string pod, int exitCode, string reason, CancellationToken cancellationToken)
    {
        EndLog(@namespace, pod);
        return UpdateStatusAsync(@namespace, pod, "Failed", Terminated(exitCode, reason), cancellationToken);
    }

    /// <summary>Lines the container writes; followers get them at once.</summary>
    public void AppendLog(string @namespace, string pod, params string[] lines)
    {
        lock (_gate)
        {
            var state = _logs.TryGetValue((@namespace, pod), out var s) ? s : _logs[(@namespace, pod)] = new PodLogState();
            state.Lines.AddRange(lines);
            state.Signal();
        }
    }

    private void EndLog(string @namespace, string pod)
    {
        lock (_gate)
        {
            var state = _logs.TryGetValue((@namespace, pod), out var s) ? s : _logs[(@namespace, pod)] = new PodLogState();
            state.Ended = true;
            state.Signal();
        }
    }

    private async Task UpdateStatusAsync(string @namespace, string name, string phase, V1ContainerState state, CancellationToken cancellationToken)
    {
        var pod = await _admin.CoreV1.ReadNamespacedPodAsync(name, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        var container = pod.Spec.Containers[0];
        pod.Status ??= new V1PodStatus();
        pod.Status.Phase = phase;
        pod.Status.StartTime ??= DateTime.UtcNow;
        pod.Status.HostIP = "127.0.0.1";
        pod.Status.ContainerStatuses =
        [
            new V1ContainerStatus
            {
                Name = container.Name, Image = container.Image, ImageID = "", State = state, Ready = phase == "Running", RestartCount = 0,
            },
        ];
        await _admin.CoreV1.ReplaceNamespacedPodStatusAsync(pod, name, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static V1ContainerState Terminated(int exitCode, string reason) => new()
    {
        Terminated = new V1ContainerStateTerminated { ExitCode = exitCode, Reason = reason, StartedAt = DateTime.UtcNow, FinishedAt = DateTime.UtcNow },
    };

    private async Task ServeLogAsync(HttpContext context)
    {
        var ns = (string)context.Request.RouteValues["ns"]!;
        var pod = (string)context.Request.RouteValues["pod"]!;
        var follow = context.Request.Query["follow"].ToString() is "true" or "1";
        PodLogState state;
        lock (_gate)
        {
            LogRequests.Add(context.Request.Path + context.Request.QueryString);
            state = _logs.TryGetValue((ns, pod), out var s) ? s : _logs[(ns, pod)] = new PodLogState();
        }
        context.Response.ContentType = "text/plain";
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        var index = 0;
        try
        {
            while (true)
            {
                List<string> lines;
                bool ended;
                Task changed;
                lock (_gate)
                {
                    lines = state.Lines.Skip(index).ToList();
                    index += lines.Count;
                    ended = state.Ended;
                    changed = state.Changed.Task;
                }
                foreach (var line in lines) await context.Response.WriteAsync(line + "\n", context.RequestAborted).ConfigureAwait(false);
                if (lines.Count > 0) await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                if (ended || !follow) return;
                await changed.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The API server's proxy went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _admin.CoreV1.DeleteNodeAsync(NodeName, cancellationToken: cts.Token).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException)
        {
            // Gone with the server already.
        }
        catch (HttpRequestException)
        {
        }
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _certificates.Dispose();
    }

    private sealed class PodLogState
    {
        public List<string> Lines { get; } = [];

        public bool Ended { get; set; }

        public TaskCompletionSource Changed { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Signal()
        {
            var old = Changed;
            Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            old.TrySetResult();
        }
    }
}
