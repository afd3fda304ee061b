using BinderOrleans.Testing.Kubernetes;

namespace BinderOrleans.IntegrationTests.KubernetesNode;

/// <summary>One real single-node Kubernetes for the collection (scripts/kube-node.sh), with the base image loaded.</summary>
public sealed class KubeNodeFixture : IAsyncLifetime
{
    public const string BaseImage = "binderorleans-base:bookworm";

    public KubeNode Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await KubeNode.StartAsync();
        await Node.LoadImageAsync(BaseImage);
    }

    public async Task DisposeAsync()
    {
        if (Node is not null) await Node.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class KubeNodeCollection : ICollectionFixture<KubeNodeFixture>
{
    public const string Name = "Kubernetes node";
}
