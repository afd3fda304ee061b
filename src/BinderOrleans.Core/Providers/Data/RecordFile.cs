namespace BinderOrleans.Core.Providers.Data;

/// <summary>One file of a record as its repository lists it.</summary>
/// <param name="Name">Relative path the file gets in the build folder.</param>
/// <param name="Url">Where it is downloaded from.</param>
/// <param name="Size">Declared size in bytes, when the repository gives one (checked against the limit before downloading).</param>
internal sealed record RecordFile(string Name, Uri Url, long? Size);
