namespace BinderOrleans.Core.Builds;

/// <summary>An image, when it was last launched or found built, and how many times that happened since the book started.</summary>
[GenerateSerializer, Immutable, Alias("binder.image-use-entry")]
public sealed record ImageUse([property: Id(0)] string Image, [property: Id(1)] DateTimeOffset LastUsed, [property: Id(2)] int Uses = 1);
