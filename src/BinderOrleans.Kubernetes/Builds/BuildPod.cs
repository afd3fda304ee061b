using System.Text.Json.Nodes;
using BinderOrleans.Core.Ports;

namespace BinderOrleans.Kubernetes.Builds;

/// <summary>
/// The build pod, field for field BinderHub's (<c>KubernetesBuildExecutor.submit</c>): its name is the build name,
/// so every request and every replica building one (repository, ref) asks for the same pod and the API server lets
/// only one exist.
/// </summary>
internal static class BuildPod
{
    public const string ContainerName = "builder";
    public const string ComponentLabel = "component";
    public const string Component = "binderhub-build";
    public const string NameLabel = "name";
    public const string RepoAnnotation = "binder-repo";

    /// <summary>Selects every build pod (the cleaner's and the health check's list).</summary>
    public const string ComponentSelector = ComponentLabel + "=" + Component;

    private const string SocketMountPath = "/var/run/docker.sock";

    /// <summary>Selects the one build pod of <paramref name="buildName"/> (the watch's selector).</summary>
    public static string SelectorFor(string buildName) => NameLabel + "=" + buildName;

    /// <summary>
    /// Why the request cannot become a pod, or null. A repository URL starting with <c>-</c> would reach repo2docker
    /// as an option although it is the last argument, so it is refused rather than passed on.
    /// </summary>
    public static string? Refusal(BuildRequest request) =>
        request.RepoUrl.StartsWith('-') ? $"Refusing to build '{request.RepoUrl}': a repository URL cannot start with '-'."
        : request.ResolvedRef.Length == 0 ? "Refusing to build without a resolved ref."
        : null;

    /// <summary>repo2docker's arguments, BinderHub's order: options with their values joined by <c>=</c>, the repository URL last.</summary>
    public static List<string> Arguments(BuildRequest request, KubernetesOptions options)
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
        if (options.Appendix is { Length: > 0 } appendix)
        {
            args.Add("--appendix");
            args.Add(appendix);
        }
        if (Pushes(options)) args.Add("--push");
        args.AddRange(options.ExtraArgs);
        // Last, so repo2docker's argparse takes it as the positional repo (anything after it would be the run command).
        args.Add(request.RepoUrl);
        return args;
    }

    public static JsonObject Create(BuildRequest request, KubernetesOptions options)
    {
        var name = request.BuildName;
        var env = new JsonArray();
        if (request.GitCredentials is { Length: > 0 } credentials)
        {
            env.Add(new JsonObject { ["name"] = "GIT_CREDENTIAL_ENV", ["value"] = credentials });
        }

        var mounts = new JsonArray();
        var volumes = new JsonArray();
        if (SocketPath(options.DockerHost) is { } socket)
        {
            mounts.Add(new JsonObject { ["name"] = "docker-socket", ["mountPath"] = SocketMountPath });
            volumes.Add(new JsonObject { ["name"] = "docker-socket", ["hostPath"] = new JsonObject { ["path"] = socket, ["type"] = "Socket" } });
        }
        if (Pushes(options))
        {
            mounts.Add(new JsonObject { ["name"] = "docker-config", ["mountPath"] = "/root/.docker/config.json", ["subPath"] = "config.json" });
            volumes.Add(new JsonObject { ["name"] = "docker-config", ["secret"] = new JsonObject { ["secretName"] = options.PushSecret } });
        }

        var container = new JsonObject
        {
            ["name"] = ContainerName,
            ["image"] = options.BuildImage,
            ["args"] = new JsonArray(Arguments(request, options).Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["env"] = env,
            ["volumeMounts"] = mounts,
            ["resources"] = new JsonObject { ["limits"] = new JsonObject(), ["requests"] = new JsonObject() },
        };

        var spec = new JsonObject
        {
            ["containers"] = new JsonArray(container),
            ["volumes"] = volumes,
            ["tolerations"] = new JsonArray(UserNodeToleration("hub.jupyter.org/dedicated"), UserNodeToleration("hub.jupyter.org_dedicated")),
            ["nodeSelector"] = new JsonObject(options.NodeSelector.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            ["affinity"] = new JsonObject
            {
                // Spread builds over nodes (BinderHub's choice when sticky builds are off).
                ["podAntiAffinity"] = new JsonObject
                {
                    ["preferredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(new JsonObject
                    {
                        ["weight"] = 100,
                        ["podAffinityTerm"] = new JsonObject
                        {
                            ["topologyKey"] = "kubernetes.io/hostname",
                            ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { [ComponentLabel] = Component } },
                        },
                    }),
                },
            },
            ["restartPolicy"] = "Never",
            // repo2docker needs the engine socket, not the API: keep the namespace's service account token out of the pod.
            ["automountServiceAccountToken"] = false,
        };
        if (options.ImagePullSecrets.Count > 0)
        {
            spec["imagePullSecrets"] = new JsonArray(options.ImagePullSecrets.Select(s => (JsonNode?)new JsonObject { ["name"] = s }).ToArray());
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject { [NameLabel] = name, [ComponentLabel] = Component },
                ["annotations"] = new JsonObject { [RepoAnnotation] = request.RepoUrl },
            },
            ["spec"] = spec,
        };
    }

    /// <summary>The host path of <c>Kubernetes:DockerHost</c> (<c>unix:///var/run/docker.sock</c> → <c>/var/run/docker.sock</c>); null when empty.</summary>
    public static string? SocketPath(string? dockerHost)
    {
        if (string.IsNullOrWhiteSpace(dockerHost)) return null;
        const string scheme = "unix://";
        return dockerHost.StartsWith(scheme, StringComparison.Ordinal) ? dockerHost[scheme.Length..] : dockerHost;
    }

    private static bool Pushes(KubernetesOptions options) => options.Push && options.PushSecret.Length > 0;

    private static JsonObject UserNodeToleration(string key) =>
        new() { ["key"] = key, ["operator"] = "Equal", ["value"] = "user", ["effect"] = "NoSchedule" };
}
