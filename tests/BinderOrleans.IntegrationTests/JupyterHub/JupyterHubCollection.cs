namespace BinderOrleans.IntegrationTests.JupyterHub;

[CollectionDefinition(Name)]
public sealed class JupyterHubCollection : ICollectionFixture<JupyterHubFixture>
{
    public const string Name = "JupyterHub";
}
