namespace BinderOrleans.Core.Grains;

/// <summary>
/// A virtual-actor-shaped object: keyed by string, one activation per key in a process, state private to it.
/// Orleans' <c>IGrainWithStringKey</c> could replace <see cref="GrainDirectory{TGrain}"/> without touching callers.
/// </summary>
public interface IGrain
{
    string Key { get; }

    /// <summary>Completes when the grain's work is done; the directory then deactivates it after its idle time.</summary>
    Task Completion { get; }
}
