using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// Picks the Julia release for a Project.toml from Julia's <c>versions.json</c> (<c>Buildpacks:JuliaVersionsUrl</c>),
/// read at build time as repo2docker does.
/// </summary>
internal sealed class JuliaReleases(IOptions<BuildpackOptions> options)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <returns>The version (<c>X.Y.Z</c>), or an error for the user.</returns>
    public async Task<(string? Version, string? Error)> ChooseAsync(string constraint, CancellationToken cancellationToken)
    {
        var url = options.Value.JuliaVersionsUrl;
        string json;
        try
        {
            json = await Http.GetStringAsync(new Uri(url), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"could not read Julia's release list from {url} (Buildpacks:JuliaVersionsUrl): {e.Message}");
        }
        IReadOnlyList<Version> versions;
        try
        {
            versions = JuliaCompat.ReadVersions(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            return (null, $"Julia's release list at {url} (Buildpacks:JuliaVersionsUrl) is not valid JSON: {e.Message}");
        }
        return JuliaCompat.Choose(constraint, versions) is { } chosen
            ? (chosen.ToString(3), null)
            : (null, $"no Julia release matches [compat] julia = '{constraint}' (releases listed at {url}).");
    }
}
