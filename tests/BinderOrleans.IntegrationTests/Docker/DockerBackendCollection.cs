namespace BinderOrleans.IntegrationTests.Docker;

/// <summary>Tests on the real engine share one server and run one after another (two cores, one dockerd).</summary>
[CollectionDefinition(Name)]
public sealed class DockerBackendCollection : ICollectionFixture<DockerBackendFixture>
{
    public const string Name = "Docker backend";
}
