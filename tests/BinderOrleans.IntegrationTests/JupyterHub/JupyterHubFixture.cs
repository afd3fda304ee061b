namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>One real hub shared by the tests of the <see cref="JupyterHubCollection"/>.</summary>
public sealed class JupyterHubFixture : IAsyncLifetime
{
    private HubProcess? _hub;

    public HubProcess Hub => _hub ?? throw new InvalidOperationException("The hub has not started.");

    public async Task InitializeAsync() => _hub = await HubProcess.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));

    public async Task DisposeAsync()
    {
        if (_hub is not null) await _hub.DisposeAsync();
    }
}
