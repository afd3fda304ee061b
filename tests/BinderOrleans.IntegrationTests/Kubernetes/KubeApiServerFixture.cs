using BinderOrleans.Kubernetes;
using BinderOrleans.Kubernetes.Client;
using Microsoft.Extensions.Logging.Abstractions;
using BinderOrleans.Testing.Kubernetes;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>One real API server (and one test kubelet) for the collection, started by scripts/kube-apiserver.sh.</summary>
public sealed class KubeApiServerFixture : IAsyncLifetime
{
    public KubeApiServer Server { get; private set; } = null!;

    public TestKubelet Kubelet { get; private set; } = null!;

    /// <summary>The backend's pod client, connected as <paramref name="options"/> says (its kubeconfig user); the caller disposes it.</summary>
    internal PodApi OpenPodApi(KubernetesOptions options)
    {
        var (connection, error) = KubeConnectionLoader.Load(options, new KubeEnvironment(_ => null, Server.Directory), TimeProvider.System);
        Assert.True(connection is not null, error);
        return new PodApi(connection, Microsoft.Extensions.Options.Options.Create(options), NullLogger<PodApi>.Instance);
    }

    public async Task InitializeAsync()
    {
        Server = await KubeApiServer.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        Kubelet = await TestKubelet.StartAsync(Server, cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (Kubelet is not null) await Kubelet.DisposeAsync();
        if (Server is not null) await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class KubeApiServerCollection : ICollectionFixture<KubeApiServerFixture>
{
    public const string Name = "Kubernetes API server";
}
