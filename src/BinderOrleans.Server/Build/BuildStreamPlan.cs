using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Server.Build;

/// <summary>What a <c>/build</c> request (or hub call) gets: nothing more (204), a refusal, or a session to watch.</summary>
internal abstract record BuildStreamPlan
{
    /// <summary>The id of refusal events: a reconnect that sends it back is told there is nothing more (204).</summary>
    public const string RefusedSession = "refused";

    private BuildStreamPlan()
    {
    }

    /// <summary>The session already ended and the client saw its end.</summary>
    public sealed record Finished : BuildStreamPlan;

    /// <summary>Refused before any work: nothing is kept.</summary>
    public sealed record Refused(BinderEvent Event) : BuildStreamPlan;

    /// <summary>Watch <paramref name="Key"/> from <paramref name="From"/>, starting it from <paramref name="Spec"/> if it is not running.</summary>
    public sealed record Watch(string Key, LaunchSpec Spec, int From, bool Resumed) : BuildStreamPlan;
}
