using BinderOrleans.Testing;
using BinderOrleans.Testing.Kubernetes;

namespace BinderOrleans.IntegrationTests.KubernetesNode;

/// <summary>
/// One real single-node Kubernetes for the collection (scripts/kube-node.sh), with the base image loaded; the service
/// deployed on it (k8s/ through the test overlay) the first time a test asks for it, with the redis-server and git host
/// it uses.
/// </summary>
public sealed class KubeNodeFixture : IAsyncLifetime
{
    public const string BaseImage = "binderorleans-base:bookworm";
    public static readonly TimeSpan DeployTimeout = TimeSpan.FromMinutes(8);

    private readonly SemaphoreSlim _deployGate = new(1, 1);
    private BinderDeployment? _binder;
    private RedisProcess? _redis;

    public KubeNode Node { get; private set; } = null!;

    public GitRoot Git { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Git = await GitRoot.StartAsync();
        Node = await KubeNode.StartAsync();
        await Node.LoadImageAsync(BaseImage);
    }

    /// <summary>The service, deployed once: two Ready replicas forming one cluster.</summary>
    public async Task<BinderDeployment> GetBinderAsync()
    {
        using var timeout = new CancellationTokenSource(DeployTimeout);
        await _deployGate.WaitAsync(timeout.Token);
        try
        {
            if (_binder is null)
            {
                var image = await ServiceImage.GetAsync().WaitAsync(timeout.Token);
                await Node.LoadImageAsync(image);
                _redis ??= await RedisProcess.StartAsync();
                _binder = await BinderDeployment.ApplyAsync(Node, image, _redis, timeout.Token);
            }
            return _binder;
        }
        finally
        {
            _deployGate.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (Node is not null) await Node.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        if (Git is not null) await Git.DisposeAsync();
        _deployGate.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class KubeNodeCollection : ICollectionFixture<KubeNodeFixture>
{
    public const string Name = "Kubernetes node";
}
