namespace BinderOrleans.Core.Providers.Data;

/// <summary>
/// Puts one data-repository record's files into a folder, as repo2docker's content providers do: files downloaded,
/// a record that is one zip archive unpacked. The Docker builder uses it instead of a git clone for its provider.
/// </summary>
public interface IContentFetcher
{
    /// <summary>The provider whose records this fetches, e.g. <c>zenodo</c>.</summary>
    string ProviderId { get; }

    /// <summary>
    /// Fetches into <paramref name="directory"/> (created; must not exist yet). Progress lines go to <paramref name="log"/>.
    /// Null when the files are there; otherwise why not. Nothing is ever written outside <paramref name="directory"/>.
    /// </summary>
    Task<ContentFailure?> FetchAsync(ContentSource source, string directory, Action<string> log, CancellationToken cancellationToken);
}
