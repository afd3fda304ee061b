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
        // One after the other: a failed start then leaves no half-started registry behind.
        Open = await TestRegistry.StartAsync(RegistryAuthMode.None).WaitAsync(TimeSpan.FromSeconds(60));
        Basic = await TestRegistry.StartAsync(RegistryAuthMode.Basic).WaitAsync(TimeSpan.FromSeconds(60));
        Token = await TestRegistry.StartAsync(RegistryAuthMode.Token).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        // Each one, even when another fails to clean up.
        await Task.WhenAll(new[] { Open, Basic, Token }.Where(r => r is not null).Select(r => r.DisposeAsync().AsTask()));
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "Registry";
}
