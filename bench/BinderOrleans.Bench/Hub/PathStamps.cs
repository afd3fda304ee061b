using System.Collections.Concurrent;
using System.Diagnostics;

namespace BinderOrleans.Bench.Hub;

/// <summary>
/// When each stage of a launch through the service began (<see cref="Stopwatch"/> timestamps), keyed by what the stage
/// sees of the request (the repository URL), so a round can say where its time went.
/// </summary>
internal sealed class PathStamps
{
    private readonly ConcurrentDictionary<(string Key, string Stage), long> _at = new();

    public const string Arrived = "arrived";
    public const string Resolve = "resolve";
    public const string Lookup = "lookup";
    public const string Launch = "launch";
    public const string LauncherReady = "launcher-ready";

    public void Mark(string key, string stage) => _at.TryAdd((key, stage), Stopwatch.GetTimestamp());

    public long? At(string key, string stage) => _at.TryGetValue((key, stage), out var t) ? t : null;
}
