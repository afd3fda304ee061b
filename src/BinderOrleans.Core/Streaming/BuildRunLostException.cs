namespace BinderOrleans.Core.Streaming;

/// <summary>Ends a <see cref="FeedLog"/> whose run of the build was lost (see <see cref="FeedLog.Next"/>).</summary>
public sealed class BuildRunLostException(string generation) : Exception($"Run {generation} of the build was lost.")
{
    public string Generation { get; } = generation;
}
