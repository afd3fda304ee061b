using System.Runtime.CompilerServices;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Bench.Http;

/// <summary>A launcher whose server is ready at once (nothing listens at the URL; clients only read the event).</summary>
internal sealed class InstantLauncher : ILauncher
{
    public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        yield return new BinderEvent { Phase = BinderPhase.Ready, Url = "http://127.0.0.1:9/user/bench/", Token = "bench-token" };
    }
}
