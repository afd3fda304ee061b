using BinderOrleans.Core.Builds;

namespace BinderOrleans.Testing;

/// <summary>A build count that is what the test says, for service providers without a silo.</summary>
public sealed class FixedRunningBuilds(int count = 0) : IRunningBuilds
{
    public Task<int> CountAsync(CancellationToken cancellationToken) => Task.FromResult(count);
}
