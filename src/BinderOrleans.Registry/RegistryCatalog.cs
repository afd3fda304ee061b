using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace BinderOrleans.Registry;

/// <summary>
/// The parts of the Registry HTTP API v2 a retention pass needs, with <see cref="RegistryClient"/>'s credentials and
/// retries: the catalog (<c>GET /v2/_catalog</c>, paged by its <c>Link</c> header), a repository's tags, a tag's
/// manifest (digest from <c>Docker-Content-Digest</c>, blobs and their sizes, an index's child manifests included)
/// and <c>DELETE /v2/&lt;name&gt;/manifests/&lt;digest&gt;</c> (the registry must allow deletes; a 404 is success).
/// </summary>
internal sealed class RegistryCatalog(RegistryClient client)
{
    /// <summary>Repositories asked for per catalog page.</summary>
    internal const int PageSize = 1000;

    /// <summary>At most this many catalog pages (a million repositories) are read in one pass.</summary>
    internal const int MaxPages = 1000;

    public RegistryEndpoint Endpoint => client.Endpoint;

    /// <summary>Every repository, or the error.</summary>
    public async Task<(List<string> Repositories, string? Error)> ListRepositoriesAsync(CancellationToken cancellationToken)
    {
        var repositories = new List<string>();
        var next = $"/v2/_catalog?n={PageSize}";
        for (var page = 0; next is not null && page < MaxPages; page++)
        {
            var (json, link, error) = await GetJsonAsync(next, "registry:catalog:*", null, "catalog", cancellationToken).ConfigureAwait(false);
            if (error is not null) return ([], error);
            if (json is null) break;
            using (json)
            {
                if (json.RootElement.TryGetProperty("repositories", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    repositories.AddRange(list.EnumerateArray().Select(r => r.GetString()).OfType<string>());
                }
            }
            next = NextPage(link);
        }
        return (repositories, null);
    }

    /// <summary>The tags of <paramref name="repository"/> (none when it has none or is gone), or the error.</summary>
    public async Task<(List<string> Tags, string? Error)> ListTagsAsync(string repository, CancellationToken cancellationToken)
    {
        var (json, _, error) = await GetJsonAsync($"/v2/{repository}/tags/list", $"repository:{repository}:pull", null, "tag list", cancellationToken)
            .ConfigureAwait(false);
        if (error is not null || json is null) return ([], error);
        using (json)
        {
            return json.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                ? (tags.EnumerateArray().Select(t => t.GetString()).OfType<string>().ToList(), null)
                : ([], null);
        }
    }

    /// <summary>
    /// The manifest a tag (or digest) points at: its digest and the blobs it holds (itself, its config and layers, and
    /// for an index each child manifest with its blobs). Null when the reference is gone.
    /// </summary>
    public async Task<(RegistryManifest? Manifest, string? Error)> GetManifestAsync(RegistryImageName image, CancellationToken cancellationToken)
    {
        var (bytes, digest, error) = await GetManifestBytesAsync(image, cancellationToken).ConfigureAwait(false);
        if (error is not null || bytes is null) return (null, error);
        var blobs = new Dictionary<string, long>(StringComparer.Ordinal) { [digest!] = bytes.Length };
        try
        {
            using var json = JsonDocument.Parse(bytes);
            AddBlobs(json.RootElement, blobs);
            if (json.RootElement.TryGetProperty("manifests", out var children) && children.ValueKind == JsonValueKind.Array)
            {
                foreach (var child in children.EnumerateArray())
                {
                    if (!child.TryGetProperty("digest", out var childDigest) || childDigest.GetString() is not { } reference) continue;
                    var (childBytes, childDigestText, childError) = await GetManifestBytesAsync(image with { Tag = reference }, cancellationToken).ConfigureAwait(false);
                    if (childError is not null) return (null, childError);
                    if (childBytes is null) continue;
                    blobs[childDigestText!] = childBytes.Length;
                    using var childJson = JsonDocument.Parse(childBytes);
                    AddBlobs(childJson.RootElement, blobs);
                }
            }
        }
        catch (JsonException ex)
        {
            return (null, $"Registry {Endpoint.Display} answered the manifest of {image.Repository}:{image.Tag} with something that is not JSON: {ex.Message}");
        }
        return (new RegistryManifest(digest!, blobs), null);
    }

    /// <summary><c>DELETE /v2/&lt;repository&gt;/manifests/&lt;digest&gt;</c>; returns the error, or null (gone already counts as done).</summary>
    public async Task<string?> DeleteManifestAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{Endpoint.Display}/v2/{repository}/manifests/{digest}");
        var image = new RegistryImageName(repository, digest);
        var (response, _, failure) = await client.SendAuthorizedAsync(HttpMethod.Delete, uri, $"repository:{repository}:delete", image, "manifest delete",
            cancellationToken).ConfigureAwait(false);
        if (failure is not null) return failure.Error;
        using (response)
        {
            if (response!.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound) return null;
            var hint = response.StatusCode == HttpStatusCode.MethodNotAllowed ? " (the registry must allow deletes: storage.delete.enabled: true)" : "";
            return $"Registry {Endpoint.Display} answered {RegistryClient.Describe(response.StatusCode)} to deleting {repository}@{digest}{hint}.";
        }
    }

    private async Task<(byte[]? Bytes, string? Digest, string? Error)> GetManifestBytesAsync(RegistryImageName image, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{Endpoint.Display}/v2/{image.Repository}/manifests/{Uri.EscapeDataString(image.Tag)}");
        var (response, _, failure) = await client.SendAuthorizedAsync(HttpMethod.Get, uri, $"repository:{image.Repository}:pull", image, "manifest read",
            cancellationToken).ConfigureAwait(false);
        if (failure is not null) return (null, null, failure.Error);
        using (response)
        {
            if (response!.StatusCode == HttpStatusCode.NotFound) return (null, null, null);
            if (!response.IsSuccessStatusCode)
            {
                return (null, null, $"Registry {Endpoint.Display} answered {RegistryClient.Describe(response.StatusCode)} to reading the manifest of {image.Repository}:{image.Tag}.");
            }
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            // The digest a DELETE needs is the registry's own (it may have stored other bytes than a client pushed).
            var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { Length: > 0 } header
                ? header
                : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
            return (bytes, digest, null);
        }
    }

    private async Task<(JsonDocument? Json, string? Link, string? Error)> GetJsonAsync(string pathAndQuery, string scope, RegistryImageName? image, string what,
        CancellationToken cancellationToken)
    {
        var uri = new Uri(Endpoint.Display + pathAndQuery);
        var (response, _, failure) = await client.SendAuthorizedAsync(HttpMethod.Get, uri, scope, image, what, cancellationToken).ConfigureAwait(false);
        if (failure is not null) return (null, null, failure.Error);
        using (response)
        {
            if (response!.StatusCode == HttpStatusCode.NotFound) return (null, null, null);
            if (!response.IsSuccessStatusCode)
            {
                return (null, null, $"Registry {Endpoint.Display} answered {RegistryClient.Describe(response.StatusCode)} to the {what} request.");
            }
            var link = response.Headers.TryGetValues("Link", out var links) ? links.FirstOrDefault() : null;
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                return (await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false), link, null);
            }
            catch (JsonException)
            {
                return (null, null, $"Registry {Endpoint.Display} answered the {what} request with something that is not JSON.");
            }
        }
    }

    private static void AddBlobs(JsonElement manifest, Dictionary<string, long> blobs)
    {
        if (manifest.ValueKind != JsonValueKind.Object) return;
        if (manifest.TryGetProperty("config", out var config)) AddBlob(config, blobs);
        if (manifest.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array)
        {
            foreach (var layer in layers.EnumerateArray()) AddBlob(layer, blobs);
        }
    }

    private static void AddBlob(JsonElement descriptor, Dictionary<string, long> blobs)
    {
        if (descriptor.ValueKind == JsonValueKind.Object && descriptor.TryGetProperty("digest", out var digest) && digest.GetString() is { } id
            && descriptor.TryGetProperty("size", out var size) && size.TryGetInt64(out var bytes))
        {
            blobs[id] = bytes;
        }
    }

    /// <summary>The path of <c>Link: &lt;/v2/_catalog?last=…&amp;n=…&gt;; rel="next"</c>, or null.</summary>
    internal static string? NextPage(string? link)
    {
        if (link is null || !link.Contains("rel=\"next\"", StringComparison.Ordinal)) return null;
        var start = link.IndexOf('<', StringComparison.Ordinal);
        var end = link.IndexOf('>', StringComparison.Ordinal);
        if (start < 0 || end <= start) return null;
        var target = link[(start + 1)..end];
        // Only a path on this registry is followed, never another host.
        return target.StartsWith("/v2/", StringComparison.Ordinal) ? target : null;
    }
}

/// <summary>A manifest's digest and the blobs (by digest) it holds, with their sizes.</summary>
internal sealed record RegistryManifest(string Digest, IReadOnlyDictionary<string, long> Blobs);
