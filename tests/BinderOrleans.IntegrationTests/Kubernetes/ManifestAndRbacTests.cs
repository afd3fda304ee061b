using System.Text.RegularExpressions;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Kubernetes;
using BinderOrleans.Kubernetes.Builds;
using BinderOrleans.Kubernetes.Client;
using BinderOrleans.Kubernetes.Health;
using BinderOrleans.Testing.Kubernetes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>
/// <c>k8s/</c> against the real API server: every object passes <c>kubectl apply --dry-run=server</c> and is really
/// applied in a test namespace; then the build backend runs with the token of <c>k8s/</c>'s ServiceAccount, bound
/// only to its Role.
/// </summary>
[Collection(KubeApiServerCollection.Name)]
public sealed partial class ManifestAndRbacTests(KubeApiServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(3));
    private readonly List<IDisposable> _owned = [];

    private KubeApiServer Server => fixture.Server;

    private CancellationToken Timeout => _timeout.Token;

    [Fact]
    public async Task EveryManifest_PassesServerSideDryRun_AndApplies_InATestNamespace()
    {
        var ns = await ApplyManifestsAsync(Server, "manifests", Timeout);

        Assert.NotNull(await Server.Admin.AppsV1.ReadNamespacedDeploymentAsync("binder", ns, cancellationToken: Timeout));
        Assert.NotNull(await Server.Admin.CoreV1.ReadNamespacedServiceAsync("binder", ns, cancellationToken: Timeout));
        Assert.NotNull(await Server.Admin.CoreV1.ReadNamespacedConfigMapAsync("binder-config", ns, cancellationToken: Timeout));
        Assert.NotNull(await Server.Admin.RbacAuthorizationV1.ReadNamespacedRoleAsync("binderhub", ns, cancellationToken: Timeout));
        var (code, pdb) = await Server.KubectlAsync("-n", ns, "get", "poddisruptionbudget", "binder", "-o", "name");
        Assert.True(code == 0, pdb);
    }

    [Fact]
    public async Task BackendWithTheRolesServiceAccountToken_EveryCallIsAllowed_AndACallOutsideItIsDeniedInHealth()
    {
        var ns = await ApplyManifestsAsync(Server, "rbac", Timeout);
        var token = await Server.Admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600 } }, "binderhub", ns, cancellationToken: Timeout);
        var options = new KubernetesOptions
        {
            Kubeconfig = Server.WriteKubeconfig("binderhub-" + ns, token.Status.Token, ns), Namespace = ns, StickyBuilds = true,
        };
        var api = Api(options);
        var kubelet = fixture.Kubelet;
        var request = new BuildRequest("registry.example.org/binder/r2d-rbac:0123", "build-rbac", "https://github.com/owner/repo", "0123", "gh", null, "GitHub");

        var health = await new KubernetesHealthCheck(api).CheckAsync(Timeout);
        var run = BuildRun.Start(new KubernetesImageBuilder(api, new PushedImages(), Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System,
            NullLogger<KubernetesImageBuilder>.Instance), request, Timeout);
        await WaitForPodAsync(ns, request.BuildName);
        await kubelet.BindAsync(ns, request.BuildName, Timeout);
        await kubelet.RunAsync(ns, request.BuildName, Timeout);
        kubelet.AppendLog(ns, request.BuildName, """{"phase": "building", "message": "Step 1/1\n"}""");
        await run.WaitForAsync(e => e.Count == 1, Wait);
        await kubelet.SucceedAsync(ns, request.BuildName, Timeout);
        var events = await run.FinishAsync(Wait);
        var cleaned = await new BuildPodCleaner(api, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLogger<BuildPodCleaner>.Instance)
            .CleanupAsync(Timeout);

        Assert.True(health.Ok, string.Join(", ", health.Details!.Select(d => $"{d.Key}={d.Value}")));
        Assert.Equal(["Step 1/1\n"], events.Select(e => e.Message));
        Assert.DoesNotContain(events, e => e.Phase == BinderPhase.Failed);
        Assert.Empty(cleaned);

        // The Role is namespaced: the same token in another namespace may not list pods, and /health says why.
        var elsewhere = Api(new KubernetesOptions { Kubeconfig = options.Kubeconfig, Namespace = "default" });
        var denied = await new KubernetesHealthCheck(elsewhere).CheckAsync(Timeout);
        Assert.False(denied.Ok);
        Assert.Contains($"\"system:serviceaccount:{ns}:binderhub\" cannot list resource \"pods\"", (string)denied.Details!["error"]!);
    }

    /// <summary>
    /// Every file of k8s/, with the namespace <c>binder</c> renamed to a fresh one (and, before 1.21, the
    /// PodDisruptionBudget's <c>policy/v1</c> as <c>policy/v1beta1</c>, the same spec): dry-run on the server, then applied.
    /// </summary>
    internal static async Task<string> ApplyManifestsAsync(KubeApiServer server, string prefix, CancellationToken timeout)
    {
        var ns = await server.CreateNamespaceAsync(prefix, timeout);
        var version = await server.Admin.Version.GetCodeAsync(timeout);
        var minor = int.Parse(Regex.Match(version.Minor, "^[0-9]+").Value, System.Globalization.CultureInfo.InvariantCulture);
        var directory = Path.Combine(server.Directory, "manifests-" + ns);
        Directory.CreateDirectory(directory);
        // Every manifest (kustomization.yaml only lists them; the node tests apply it with kubectl -k).
        var manifests = Directory.GetFiles(Path.Combine(RepositoryRoot(), "k8s"), "*.yaml")
            .Where(f => Path.GetFileName(f) != "kustomization.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(manifests);
        foreach (var file in manifests)
        {
            var text = NamespaceField().Replace(File.ReadAllText(file), "${1}namespace: " + ns);
            if (text.Contains("kind: Namespace", StringComparison.Ordinal)) text = text.Replace("name: binder", "name: " + ns, StringComparison.Ordinal);
            if (minor < 21 && text.Contains("kind: PodDisruptionBudget", StringComparison.Ordinal))
            {
                text = text.Replace("apiVersion: policy/v1\n", "apiVersion: policy/v1beta1\n", StringComparison.Ordinal);
            }
            var path = Path.Combine(directory, Path.GetFileName(file));
            File.WriteAllText(path, text);
            var (dryCode, dryOutput) = await server.KubectlAsync("apply", "--dry-run=server", "-f", path);
            Assert.True(dryCode == 0, $"{Path.GetFileName(file)} failed server-side dry run: {dryOutput}");
            var (code, output) = await server.KubectlAsync("apply", "-f", path);
            Assert.True(code == 0, $"{Path.GetFileName(file)} failed to apply: {output}");
        }
        return ns;
    }

    private PodApi Api(KubernetesOptions options)
    {
        var api = fixture.OpenPodApi(options);
        _owned.Add(api);
        return api;
    }

    private async Task WaitForPodAsync(string ns, string name)
    {
        for (var i = 0; i < 600; i++)
        {
            var list = await Server.Admin.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=" + name, cancellationToken: Timeout);
            if (list.Items.Count > 0) return;
            await Task.Delay(100, Timeout);
        }
        throw new TimeoutException($"pod {ns}/{name} was not created");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BinderOrleans.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("BinderOrleans.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^([ \t]*)namespace: binder[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex NamespaceField();

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _timeout.Dispose();
    }
}
