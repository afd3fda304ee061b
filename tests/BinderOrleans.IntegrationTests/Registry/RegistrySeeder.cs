using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>
/// Puts small images straight into a <see cref="TestRegistry"/> over the Registry API (blob uploads, manifest PUTs),
/// in each manifest format, so lookups have something real to find without a Docker engine.
/// </summary>
public sealed class RegistrySeeder : IDisposable
{
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    private readonly TestRegistry _registry;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public RegistrySeeder(TestRegistry registry) => _registry = registry;

    /// <summary>Pushes an image with one layer as <paramref name="mediaType"/>; lists and indexes wrap a manifest pushed first.</summary>
    /// <param name="layerBytes">Pads the layer to at least this many bytes.</param>
    public async Task PushAsync(string repository, string tag, string mediaType = DockerManifest, int layerBytes = 0)
    {
        var inner = mediaType switch { DockerManifestList => DockerManifest, OciIndex => OciManifest, _ => mediaType };
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}""");
        var layer = Encoding.UTF8.GetBytes($"layer of {repository}:{tag}".PadRight(layerBytes, '.'));
        var configDigest = await PushBlobAsync(repository, config).ConfigureAwait(false);
        var layerDigest = await PushBlobAsync(repository, layer).ConfigureAwait(false);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = inner,
            ["config"] = new JsonObject
            {
                ["mediaType"] = inner == OciManifest ? "application/vnd.oci.image.config.v1+json" : "application/vnd.docker.container.image.v1+json",
                ["size"] = config.Length,
                ["digest"] = configDigest,
            },
            ["layers"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = inner == OciManifest ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.docker.image.rootfs.diff.tar.gzip",
                ["size"] = layer.Length,
                ["digest"] = layerDigest,
            }),
        };
        var manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        if (inner == mediaType)
        {
            await PutManifestAsync(repository, tag, mediaType, manifestBytes).ConfigureAwait(false);
            return;
        }
        var manifestDigest = Digest(manifestBytes);
        await PutManifestAsync(repository, manifestDigest, inner, manifestBytes).ConfigureAwait(false);
        var list = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = mediaType,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = inner,
                ["size"] = manifestBytes.Length,
                ["digest"] = manifestDigest,
                ["platform"] = new JsonObject { ["architecture"] = "amd64", ["os"] = "linux" },
            }),
        };
        await PutManifestAsync(repository, tag, mediaType, Encoding.UTF8.GetBytes(list.ToJsonString())).ConfigureAwait(false);
    }

    /// <summary>A manifest GET with only the given Accept types, authorized as the seeder (to show what a registry hides).</summary>
    public async Task<HttpStatusCode> GetManifestStatusAsync(string repository, string tag, params string[] accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_registry.Url, $"/v2/{repository}/manifests/{tag}"));
        foreach (var type in accept) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        request.Headers.Authorization = Authorization(repository);
        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        return response.StatusCode;
    }

    private async Task<string> PushBlobAsync(string repository, byte[] content)
    {
        var digest = Digest(content);
        using var start = new HttpRequestMessage(HttpMethod.Post, new Uri(_registry.Url, $"/v2/{repository}/blobs/uploads/"));
        start.Headers.Authorization = Authorization(repository);
        using var started = await _http.SendAsync(start).ConfigureAwait(false);
        if (started.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"blob upload start: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        var location = new Uri(_registry.Url, started.Headers.Location!);
        var separator = location.Query.Length > 0 ? "&" : "?";
        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(location + separator + "digest=" + Uri.EscapeDataString(digest)))
        {
            Content = new ByteArrayContent(content),
        };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        put.Headers.Authorization = Authorization(repository);
        using var done = await _http.SendAsync(put).ConfigureAwait(false);
        if (done.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"blob upload: {(int)done.StatusCode} {await done.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        return digest;
    }

    private async Task PutManifestAsync(string repository, string reference, string mediaType, byte[] body)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(_registry.Url, $"/v2/{repository}/manifests/{reference}"))
        {
            Content = new ByteArrayContent(body),
        };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        put.Headers.Authorization = Authorization(repository);
        using var response = await _http.SendAsync(put).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"manifest put: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
    }

    private AuthenticationHeaderValue? Authorization(string repository) => _registry.Mode switch
    {
        RegistryAuthMode.Basic => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_registry.Username}:{_registry.Password}"))),
        RegistryAuthMode.Token => new("Bearer", _registry.Tokens!.Mint(TestRegistry.Service, "seeder", [(repository, ["pull", "push"])])),
        _ => null,
    };

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    public void Dispose() => _http.Dispose();
}
