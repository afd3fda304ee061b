using BinderOrleans.Kubernetes;
using BinderOrleans.Kubernetes.Client;
using BinderOrleans.Kubernetes.Builds;
using BinderOrleans.Testing.Kubernetes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Kubernetes;

public sealed class PodApiTests : IDisposable
{
    // Generous: the first call of a test run loads KubernetesClient, slow on a busy machine.
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    private CancellationToken Timeout => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public async Task CreatePod_Twice_CreatedThenExists_AndOtherErrorsCarryTheStatusMessage()
    {
        await using var rig = await KubeRig.StartAsync();
        var client = rig.Client();
        var pod = BuildPod.Create(KubeRig.Request(), rig.Options());

        var first = await client.CreatePodAsync(pod, Timeout);
        var second = await client.CreatePodAsync(pod, Timeout);
        var invalid = await client.CreatePodAsync(new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = new V1ObjectMeta() }, Timeout);

        Assert.Equal(CreatePodOutcome.Created, first.Outcome);
        Assert.Equal(KubeRig.Request().BuildName, first.Pod!.Name());
        Assert.Equal("Pending", first.Pod!.Status?.Phase);
        Assert.Equal(CreatePodOutcome.Exists, second.Outcome);
        Assert.Equal(CreatePodOutcome.Failed, invalid.Outcome);
        Assert.Equal(422, invalid.Error!.Code);
        Assert.Equal("Invalid", invalid.Error.Reason);
        Assert.Contains("metadata.name: Required value", invalid.Error.Message);
    }

    [Fact]
    public async Task GetListDelete_SpeakTheApi_AndDeletingAMissingPodIsSuccess()
    {
        await using var rig = await KubeRig.StartAsync();
        var client = rig.Client();
        await client.CreatePodAsync(BuildPod.Create(KubeRig.Request("build-a"), rig.Options()), Timeout);
        await client.CreatePodAsync(BuildPod.Create(KubeRig.Request("build-b"), rig.Options()), Timeout);

        var list = await client.ListPodsAsync(BuildPod.ComponentSelector, null, Timeout);
        var one = await client.ListPodsAsync(BuildPod.SelectorFor("build-b"), null, Timeout);
        var limited = await client.ListPodsAsync(BuildPod.ComponentSelector, 1, Timeout);
        var got = await client.GetPodAsync("build-a", Timeout);
        var deleted = await client.DeletePodAsync("build-a", Timeout);
        var again = await client.DeletePodAsync("build-a", Timeout);
        var missing = await client.GetPodAsync("build-a", Timeout);

        Assert.Equal(["build-a", "build-b"], list.Value.Items.Select(p => p.Name()));
        Assert.False(string.IsNullOrEmpty(list.Value.Metadata.ResourceVersion));
        Assert.Equal(["build-b"], one.Value.Items.Select(p => p.Name()));
        Assert.Single(limited.Value.Items);
        Assert.Equal("https://github.com/owner/repo", got.Value.Metadata.Annotations!["binder-repo"]);
        Assert.True(deleted.Value);
        Assert.Null(again.Error);
        Assert.False(again.Value);
        Assert.True(missing.Error!.IsNotFound);
        Assert.Equal("pods \"build-a\" not found", missing.Error.Message);
    }

    [Fact]
    public async Task Watch_WindowWithoutEvents_EndsCleanly_AndAnExpiredVersionEndsWith410()
    {
        await using var rig = await KubeRig.StartAsync();
        rig.Api.WatchTimeoutCap = TimeSpan.FromMilliseconds(200);
        var client = rig.Client();
        await client.CreatePodAsync(BuildPod.Create(KubeRig.Request("build-a"), rig.Options()), Timeout);
        var version = (await client.ListPodsAsync(BuildPod.SelectorFor("build-a"), null, Timeout)).Value.Metadata.ResourceVersion;

        var quiet = new List<PodWatchEvent>();
        await foreach (var e in client.WatchPodsAsync(BuildPod.SelectorFor("build-a"), version, Timeout)) quiet.Add(e);
        rig.Api.ExpireResourceVersions();
        var expired = new List<PodWatchEvent>();
        await foreach (var e in client.WatchPodsAsync(BuildPod.SelectorFor("build-a"), version, Timeout)) expired.Add(e);

        Assert.Empty(quiet);
        var gone = Assert.Single(expired);
        Assert.Equal(WatchEventType.Error, gone.Type);
        Assert.True(gone.Error!.IsGone, gone.Error.ToString());
    }

    [Fact]
    public async Task WrongToken_IsAnErrorValue_WithTheApisMessage()
    {
        await using var rig = await KubeRig.StartAsync();
        var path = rig.Api.WriteKubeconfig(Path.Combine(rig.Directory, "wrong"), token: "not-the-token");
        var client = rig.Client(new KubernetesOptions { Kubeconfig = path });

        var result = await client.ListPodsAsync(BuildPod.ComponentSelector, 1, Timeout);

        Assert.Equal(401, result.Error!.Code);
        Assert.Equal("Unauthorized", result.Error.Message);
    }

    [Fact]
    public async Task InCluster_TrustsOnlyTheClusterCa_ReadsNamespaceFile_AndRereadsARotatedTokenAfter401()
    {
        using var ca = TestCertificates.Create();
        using var otherCa = TestCertificates.Create();
        await using var api = await FakeKubernetesApi.StartAsync(https: true, certificates: ca);
        var directory = Directory.CreateTempSubdirectory("binder-sa-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "token"), api.Token);
            File.WriteAllText(Path.Combine(directory, "namespace"), "binder-from-file\n");
            File.WriteAllText(Path.Combine(directory, "ca.crt"), otherCa.AuthorityPem);
            var environment = new KubeEnvironment(name => name switch
            {
                "KUBERNETES_SERVICE_HOST" => "127.0.0.1",
                "KUBERNETES_SERVICE_PORT" => api.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => null,
            }, directory);
            var options = new KubernetesOptions { ServiceAccountDirectory = directory };

            using var untrusting = Client(options, environment);
            var refused = await untrusting.GetVersionAsync(Timeout);
            Assert.Equal(0, refused.Error!.Code);
            Assert.Contains("SSL", refused.Error.Message, StringComparison.OrdinalIgnoreCase);

            File.WriteAllText(Path.Combine(directory, "ca.crt"), ca.AuthorityPem);
            using var client = Client(options, environment);
            Assert.Equal("binder-from-file", client.Namespace);
            Assert.Equal(new Uri($"https://127.0.0.1:{api.BaseUri.Port}/"), client.Server);
            Assert.Null((await client.ListPodsAsync(BuildPod.ComponentSelector, 1, Timeout)).Error);

            // The kubelet rotates the projected token: the old one stops working, the file has the new one.
            api.Token = "rotated-token";
            File.WriteAllText(Path.Combine(directory, "token"), "rotated-token");
            var afterRotation = await client.ListPodsAsync(BuildPod.ComponentSelector, 1, Timeout);
            Assert.Null(afterRotation.Error);
            Assert.Equal(1, api.Unauthorized);
            Assert.Equal("v1.31.0-fake", (await client.GetVersionAsync(Timeout)).Value.GitVersion);
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    [Fact]
    public async Task Kubeconfig_ClientCertificateAndCaData_Authenticate_OverTls()
    {
        using var ca = TestCertificates.Create();
        using var clientCertificate = ca.IssueClient();
        await using var api = await FakeKubernetesApi.StartAsync(https: true, certificates: ca, clientCertificate: clientCertificate);
        var directory = Directory.CreateTempSubdirectory("binder-kubeconfig-").FullName;
        try
        {
            var path = api.WriteKubeconfig(directory, @namespace: "builds", certificates: ca, clientCertificate: clientCertificate);
            using var client = Client(new KubernetesOptions { Kubeconfig = path }, new KubeEnvironment(_ => null, directory));

            var result = await client.ListPodsAsync(BuildPod.ComponentSelector, 1, Timeout);

            Assert.Null(result.Error);
            Assert.Equal("builds", client.Namespace);
            Assert.Contains(api.Requests, r => r.Path == "/api/v1/namespaces/builds/pods");
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    [Fact]
    public async Task Kubeconfig_WithoutCa_RefusesAnUnknownServer_UnlessInsecureSkipTlsVerify()
    {
        using var ca = TestCertificates.Create();
        await using var api = await FakeKubernetesApi.StartAsync(https: true, certificates: ca);
        var directory = Directory.CreateTempSubdirectory("binder-kubeconfig-").FullName;
        try
        {
            var environment = new KubeEnvironment(_ => null, directory);
            using var strict = Client(new KubernetesOptions { Kubeconfig = api.WriteKubeconfig(Path.Combine(directory, "strict")) }, environment);
            using var insecure = Client(new KubernetesOptions { Kubeconfig = api.WriteKubeconfig(Path.Combine(directory, "insecure"), insecureSkipTlsVerify: true) }, environment);

            Assert.NotNull((await strict.GetVersionAsync(Timeout)).Error);
            Assert.Null((await insecure.GetVersionAsync(Timeout)).Error);
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    [Fact]
    public void Loader_ExplainsWhatIsMissing_AndNamesABrokenExecPlugin()
    {
        var directory = Directory.CreateTempSubdirectory("binder-kubeconfig-").FullName;
        try
        {
            var nothing = KubeConnectionLoader.Load(new KubernetesOptions(), new KubeEnvironment(_ => null, directory), TimeProvider.System);
            Assert.Null(nothing.Connection);
            Assert.Contains("Kubernetes:Kubeconfig", nothing.Error);
            Assert.Contains("KUBERNETES_SERVICE_HOST", nothing.Error);

            var exec = Path.Combine(directory, "exec.yaml");
            File.WriteAllText(exec, """
                apiVersion: v1
                kind: Config
                current-context: eks
                clusters:
                - name: c
                  cluster: {server: "https://127.0.0.1:6443"}
                contexts:
                - name: eks
                  context: {cluster: c, user: u}
                users:
                - name: u
                  user:
                    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /nonexistent/binder-test-credential-plugin}
                """);
            var broken = KubeConnectionLoader.Load(new KubernetesOptions(), new KubeEnvironment(n => n == "KUBECONFIG" ? exec : null, directory), TimeProvider.System);
            Assert.Null(broken.Connection);
            Assert.Contains("context 'eks'", broken.Error);
            Assert.Contains("exec", broken.Error);

            var wrongContext = KubeConnectionLoader.Load(new KubernetesOptions { Kubeconfig = exec, Context = "gke" }, new KubeEnvironment(_ => null, directory), TimeProvider.System);
            Assert.Contains("no context named 'gke'", wrongContext.Error);
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    [Fact]
    public async Task Kubeconfig_ExecPlugin_ItsTokenAuthenticates()
    {
        await using var rig = await KubeRig.StartAsync();
        var plugin = Path.Combine(rig.Directory, "credential-plugin");
        File.WriteAllText(plugin, $$"""
            #!/bin/sh
            echo '{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": "{{rig.Api.Token}}" } }'
            """);
        Assert.False(OperatingSystem.IsWindows(), "the plugin is a shell script");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var kubeconfig = Path.Combine(rig.Directory, "exec-kubeconfig");
        File.WriteAllText(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            current-context: plugin
            clusters:
            - name: fake
              cluster:
                server: {rig.Api.BaseUri.AbsoluteUri.TrimEnd('/')}
            contexts:
            - name: plugin
              context:
                cluster: fake
                user: plugin-user
                namespace: from-plugin
            users:
            - name: plugin-user
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: {plugin}
            """);

        var client = rig.Client(new KubernetesOptions { Kubeconfig = kubeconfig });
        var result = await client.ListPodsAsync(BuildPod.ComponentSelector, 1, Timeout);

        Assert.Null(result.Error);
        Assert.Equal(0, rig.Api.Unauthorized);
        Assert.Contains(rig.Api.Requests, r => r.Path == "/api/v1/namespaces/from-plugin/pods");
    }

    [Fact]
    public async Task BuildNamespaceVariable_WinsOverTheKubeconfigContext()
    {
        await using var rig = await KubeRig.StartAsync();
        var (connection, _) = KubeConnectionLoader.Load(rig.Options(), new KubeEnvironment(n => n == "BUILD_NAMESPACE" ? "from-env" : null, rig.Directory), TimeProvider.System);
        Assert.Equal("from-env", connection!.Namespace);
        var (configured, _) = KubeConnectionLoader.Load(rig.Options(o => o.Namespace = "from-config"), new KubeEnvironment(n => n == "BUILD_NAMESPACE" ? "from-env" : null, rig.Directory), TimeProvider.System);
        Assert.Equal("from-config", configured!.Namespace);
    }

    private static PodApi Client(KubernetesOptions options, KubeEnvironment environment)
    {
        var (connection, error) = KubeConnectionLoader.Load(options, environment, TimeProvider.System);
        Assert.True(connection is not null, error);
        return new PodApi(connection, Options.Create(options), NullLogger<PodApi>.Instance);
    }
}
