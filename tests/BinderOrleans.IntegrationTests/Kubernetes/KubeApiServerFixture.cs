using BinderOrleans.Testing.Kubernetes;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>One real API server (and one test kubelet) for the collection, started by scripts/kube-apiserver.sh.</summary>
public sealed class KubeApiServerFixture : IAsyncLifetime
{
    public KubeApiServer Server { get; private set; } = null!;

    public TestKubelet Kubelet { get; private set; } = null!;

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
