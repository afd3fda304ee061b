using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.BrowserTests.Fakes;

/// <summary>
/// An image store that has nothing and a builder that prints what repo2docker prints (fetching, building, pushing
/// with progress), a little at a time so a browser sees each phase. A repository whose URL contains "fail" fails;
/// one containing "slow" takes four times as long per step.
/// </summary>
internal sealed class FakeBuildBackend(TimeSpan baseStep) : IImageRegistry, IImageBuilder
{
    /// <summary>How many builds ran per repository URL.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Builds { get; } = new(StringComparer.Ordinal);

    /// <summary>Every build request, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<BuildRequest> Requests { get; } = new();

    public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken) => Task.FromResult(ImageLookup.Missing);

    public async IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Builds.AddOrUpdate(request.RepoUrl, 1, (_, n) => n + 1);
        Requests.Enqueue(request);
        var step = request.RepoUrl.Contains("slow", StringComparison.OrdinalIgnoreCase) ? baseStep * 4 : baseStep;
        yield return BinderEvent.Of(BinderPhase.Fetching, $"Picked Git content provider.\nCloning into '/tmp/repo2docker'...\nHEAD is now at {request.ResolvedRef[..7]} initial");
        await Task.Delay(step, cancellationToken);
        yield return BinderEvent.Of(BinderPhase.Building, $"Building conda environment for python=3.11\nUsing PythonBuildPack builder");
        await Task.Delay(step, cancellationToken);
        if (request.RepoUrl.Contains("fail", StringComparison.OrdinalIgnoreCase))
        {
            yield return BinderEvent.Of(BinderPhase.Building, "Step 7/12 : RUN pip install -r requirements.txt\nERROR: No matching distribution found for notapackage==9.9");
            await Task.Delay(step, cancellationToken);
            yield return BinderEvent.Failed("The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1");
            yield break;
        }
        for (var i = 1; i <= 3; i++)
        {
            yield return BinderEvent.Of(BinderPhase.Building, $"Step {i}/3 : RUN echo layer-{i}\n ---> Running in {i:x8}\n ---> Done");
            await Task.Delay(step, cancellationToken);
        }
        yield return new BinderEvent
        {
            Phase = BinderPhase.Pushing,
            Message = "Pushing image\n",
            Progress = new JsonObject { ["layer-1"] = new JsonObject { ["current"] = 512, ["total"] = 1024 } },
        };
        await Task.Delay(step, cancellationToken);
    }
}
