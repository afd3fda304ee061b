namespace BinderOrleans.Core.Builds;

/// <summary>The cluster's image-use book as one value.</summary>
/// <param name="Since">When the book started recording (it lives in memory: a restart of its silo starts it anew).</param>
/// <param name="Uses">Every image with its last use, least recently used first.</param>
/// <param name="Running">Images some replica reported running servers of, within their reports' validity.</param>
[GenerateSerializer, Immutable, Alias("binder.image-use-book")]
public sealed record ImageUseBook(
    [property: Id(0)] DateTimeOffset Since,
    [property: Id(1)] ImageUse[] Uses,
    [property: Id(2)] string[] Running);
