using BinderOrleans.Testing.DataRepositories;

namespace BinderOrleans.Tests.Providers.Data;

/// <summary>A provider test's fake doi.org and data repositories, and the providers registered against them.</summary>
public abstract class DataProviderTests : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private protected FakeDataRepositories Fake { get; private set; } = null!;

    private protected DataProviderHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Fake = await FakeDataRepositories.StartAsync();
        Host = new DataProviderHost(Fake);
    }

    public async Task DisposeAsync()
    {
        Host.Dispose();
        await Fake.DisposeAsync();
    }
}
