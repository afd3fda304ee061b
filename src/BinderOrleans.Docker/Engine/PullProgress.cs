namespace BinderOrleans.Docker.Engine;

/// <summary>
/// What a user is told while the engine pulls an image: one line each time a layer is done (pulled, or already there),
/// with the count so far, e.g. <c>Layer 3f4a…: Pull complete (2/5)</c>. Byte-level progress messages are skipped.
/// </summary>
internal static class PullProgress
{
    private const string LayerDone = "Pull complete";
    private const string LayerPresent = "Already exists";

    /// <summary>Reads <paramref name="reader"/> to its end; its <c>Error</c> and <c>EngineLost</c> tell how the pull ended.</summary>
    public static async IAsyncEnumerable<string> LayerLinesAsync(EngineMessageReader reader)
    {
        var layers = new Dictionary<string, bool>(StringComparer.Ordinal);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var message = reader.Current;
            if (message.ID is not { Length: > 0 } id || message.Progress is { Current: not null }) continue;
            var done = message.Status is LayerDone or LayerPresent;
            var wasDone = layers.GetValueOrDefault(id);
            layers[id] = wasDone || done;
            if (done && !wasDone)
            {
                yield return $"Layer {id}: {message.Status} ({layers.Values.Count(d => d)}/{layers.Count})";
            }
        }
    }
}
