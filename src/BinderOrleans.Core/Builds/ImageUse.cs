namespace BinderOrleans.Core.Builds;

/// <summary>An image and when it was last launched or found built.</summary>
[GenerateSerializer, Immutable, Alias("binder.image-use-entry")]
public sealed record ImageUse([property: Id(0)] string Image, [property: Id(1)] DateTimeOffset LastUsed);
