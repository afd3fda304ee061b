namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>One real registry per auth mode, shared by the registry tests.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public TestRegistry Open { get; private set; } = null!;

    public TestRegistry Basic { get; private set; } = null!;

    public TestRegistry Token { get; private set; } = null!;

    public TestRegistry Get(RegistryAuthMode mode) => mode switch
    {
        RegistryAuthMode.None => Open,
        RegistryAuthMode.Basic => Basic,
        _ => Token,
    };

    public async Task InitializeAsync()
    {
        var started = await Task.WhenAll(
            TestRegistry.StartAsync(RegistryAuthMode.None),
            TestRegistry.StartAsync(RegistryAuthMode.Basic),
            TestRegistry.StartAsync(RegistryAuthMode.Token)).WaitAsync(TimeSpan.FromSeconds(60));
        (Open, Basic, Token) = (started[0], started[1], started[2]);
    }

    public async Task DisposeAsync()
    {
        foreach (var registry in new[] { Open, Basic, Token })
        {
            if (registry is not null) await registry.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "Registry";
}
