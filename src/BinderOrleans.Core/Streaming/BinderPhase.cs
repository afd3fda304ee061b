namespace BinderOrleans.Core.Streaming;

/// <summary>The phase names of BinderHub's <c>/build</c> event stream, as clients compare them.</summary>
public static class BinderPhase
{
    public const string Waiting = "waiting";
    public const string Fetching = "fetching";
    public const string Building = "building";
    public const string Pushing = "pushing";
    public const string Built = "built";
    public const string Launching = "launching";
    public const string Ready = "ready";
    public const string Failed = "failed";
    public const string Unknown = "unknown";

    /// <summary>True for the phases after which a stream says nothing more.</summary>
    public static bool IsTerminal(string phase) => phase is Ready or Failed;
}
