using System.Runtime.CompilerServices;
using BinderOrleans.Bench.Http;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Bench.Hub;

/// <summary>The bench provider (every spec resolves at once), stamping when the launch session asks it.</summary>
internal sealed class StampedProvider(PathStamps stamps) : IRepoProvider
{
    private readonly BenchProvider _inner = new();

    public string Id => _inner.Id;

    public string Name => _inner.Name;

    public ProviderDisplayConfig DisplayConfig => _inner.DisplayConfig;

    public ResolveResult.Failed? CheckSpec(string spec) => _inner.CheckSpec(spec);

    public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        stamps.Mark(RepoUrlOf(spec), PathStamps.Resolve);
        return _inner.ResolveAsync(spec, cancellationToken);
    }

    public static string RepoUrlOf(string spec) => $"https://example.invalid/{spec}";
}

/// <summary>A registry in which every image is built, stamping when the build grain looks one up.</summary>
internal sealed class StampedRegistry(PathStamps stamps) : IImageRegistry
{
    public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken)
    {
        stamps.Mark(imageName, PathStamps.Lookup);
        return Task.FromResult(ImageLookup.Found);
    }
}

/// <summary>The real launcher (JupyterHub), stamping when the launch session calls it and when it says ready.</summary>
internal sealed class StampedLauncher(ILauncher inner, PathStamps stamps) : ILauncher
{
    public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        stamps.Mark(request.RepoUrl, PathStamps.Launch);
        await foreach (var e in inner.LaunchAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (e.Phase == BinderPhase.Ready) stamps.Mark(request.RepoUrl, PathStamps.LauncherReady);
            yield return e;
        }
    }

    public Task StopAsync(string server, CancellationToken cancellationToken) => inner.StopAsync(server, cancellationToken);

    public Task<BinderEvent?> FindExistingAsync(LaunchRequest request, CancellationToken cancellationToken) => inner.FindExistingAsync(request, cancellationToken);
}
