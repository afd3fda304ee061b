using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace BinderOrleans.Docker.Engine;

/// <summary>
/// Typed client of the Docker Engine API (<c>Docker:Host</c>, <c>Docker:ApiVersion</c>). Not-found answers are values
/// (null / false); anything else unexpected throws <see cref="DockerEngineException"/>.
/// Streaming operations (build, and push/pull later) share <see cref="StreamJsonAsync"/>.
/// </summary>
internal sealed partial class DockerEngineClient
{
    private readonly HttpClient _http;

    /// <param name="http">Its BaseAddress is the versioned API root, e.g. <c>http://docker.sock/v1.41/</c>.</param>
    public DockerEngineClient(HttpClient http) => _http = http;

    public Uri? BaseAddress => _http.BaseAddress;

    /// <summary>Creates a client for <paramref name="options"/> outside dependency injection (tests, tools).</summary>
    public static DockerEngineClient Create(DockerOptions options)
    {
        if (!DockerEndpoint.TryParse(options.Host, out var endpoint, out var error)) throw new ArgumentException(error, nameof(options));
        var http = new HttpClient(endpoint.CreateHandler(), disposeHandler: true)
        {
            BaseAddress = ApiRoot(endpoint, options.ApiVersion),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new DockerEngineClient(http);
    }

    internal static Uri ApiRoot(DockerEndpoint endpoint, string apiVersion) => new(endpoint.BaseAddress, $"v{apiVersion}/");

    // ---- system

    /// <summary><c>GET /_ping</c>: true when the engine answers OK.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "_ping"), cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    public async Task<EngineVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "version"), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, DockerJsonContext.Default.EngineVersion, "version", cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /events</c> between two instants (the call returns once <paramref name="until"/> has passed).</summary>
    public async Task<List<EngineEvent>> GetEventsAsync(DateTimeOffset since, DateTimeOffset until, IReadOnlyDictionary<string, List<string>> filters,
        CancellationToken cancellationToken)
    {
        var query = new StringBuilder("events?since=")
            .Append(since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
            .Append("&until=").Append(until.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
            .Append("&filters=").Append(Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, List<string>>(filters), DockerJsonContext.Default.DictionaryStringListString)));
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, query.ToString()), cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "events", cancellationToken).ConfigureAwait(false);
        var events = new List<EngineEvent>();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) continue;
            if (JsonSerializer.Deserialize(line, DockerJsonContext.Default.EngineEvent) is { } e) events.Add(e);
        }
        return events;
    }

    // ---- images

    /// <summary><c>GET /images/{name}/json</c>; null when the engine does not have the image.</summary>
    public async Task<ImageInspect?> InspectImageAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"images/{EscapePath(name)}/json"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return await ReadJsonAsync(response, DockerJsonContext.Default.ImageInspect, $"inspect image {name}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>DELETE /images/{name}</c>; false when it did not exist. Untagged parents go too (no <c>noprune</c>).</summary>
    public async Task<bool> RemoveImageAsync(string name, bool force, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"images/{EscapePath(name)}?force={Flag(force)}"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureSuccessAsync(response, $"remove image {name}", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary><c>GET /images/json</c> filtered by labels (<c>key</c> or <c>key=value</c>); <paramref name="all"/> includes intermediate images.</summary>
    public async Task<List<ImageSummary>> ListImagesAsync(IEnumerable<string> labelFilters, bool all, CancellationToken cancellationToken)
    {
        var uri = $"images/json?all={Flag(all)}&filters={LabelFilter(labelFilters)}";
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, DockerJsonContext.Default.ListImageSummary, "list images", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /build</c> with a tar context; yields the engine's progress lines as they come. A failed step is a line
    /// with <see cref="JsonMessage.ErrorMessage"/>, not an exception. Cancelling closes the connection, which stops the build.
    /// </summary>
    public IAsyncEnumerable<JsonMessage> BuildImageAsync(HttpContent tarContext, ImageBuildParameters parameters, CancellationToken cancellationToken)
    {
        var query = new StringBuilder("build?t=").Append(Uri.EscapeDataString(parameters.Tag))
            .Append("&dockerfile=").Append(Uri.EscapeDataString(parameters.Dockerfile))
            .Append("&rm=1&forcerm=").Append(Flag(parameters.ForceRemove))
            .Append("&nocache=").Append(Flag(parameters.NoCache));
        if (parameters.NetworkMode is { Length: > 0 } network) query.Append("&networkmode=").Append(Uri.EscapeDataString(network));
        if (parameters.Labels.Count > 0) query.Append("&labels=").Append(Uri.EscapeDataString(ToJson(parameters.Labels)));
        if (parameters.BuildArgs.Count > 0) query.Append("&buildargs=").Append(Uri.EscapeDataString(ToJson(parameters.BuildArgs)));
        tarContext.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        var request = new HttpRequestMessage(HttpMethod.Post, query.ToString()) { Content = tarContext };
        return StreamJsonAsync(request, $"build {parameters.Tag}", cancellationToken);
    }

    /// <summary>Sends <paramref name="request"/> and yields the streamed JSON progress lines of the answer.</summary>
    internal async IAsyncEnumerable<JsonMessage> StreamJsonAsync(HttpRequestMessage request, string what,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        await EnsureSuccessAsync(response, what, cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var message in JsonMessageStream.ReadAsync(body, cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    // ---- containers

    /// <summary><c>POST /containers/create</c>; returns the id. A missing image is an exception here: callers check first.</summary>
    public async Task<string> CreateContainerAsync(ContainerCreateRequest body, string? name, CancellationToken cancellationToken)
    {
        var uri = name is null ? "containers/create" : $"containers/create?name={Uri.EscapeDataString(name)}";
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body, DockerJsonContext.Default.ContainerCreateRequest) };
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var created = await ReadJsonAsync(response, DockerJsonContext.Default.IdResponse, "create container", cancellationToken).ConfigureAwait(false);
        return created.Id;
    }

    public async Task StartContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"containers/{EscapePath(id)}/start"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotModified) return;
        await EnsureSuccessAsync(response, $"start container {id}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /containers/{id}/stop</c>; false when the container does not exist.</summary>
    public async Task<bool> StopContainerAsync(string id, TimeSpan grace, CancellationToken cancellationToken)
    {
        var seconds = ((int)Math.Ceiling(grace.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"containers/{EscapePath(id)}/stop?t={seconds}"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (response.StatusCode == HttpStatusCode.NotModified) return true;
        await EnsureSuccessAsync(response, $"stop container {id}", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary><c>DELETE /containers/{id}</c>; false when it was already gone (which is success for callers).</summary>
    public async Task<bool> RemoveContainerAsync(string id, bool force, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"containers/{EscapePath(id)}?force={Flag(force)}&v=1"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        // 409 "removal already in progress": someone else is removing it, which is what we want.
        if (response.StatusCode == HttpStatusCode.Conflict) return true;
        await EnsureSuccessAsync(response, $"remove container {id}", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary><c>GET /containers/{id}/json</c>; null when there is no such container.</summary>
    public async Task<ContainerInspect?> InspectContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"containers/{EscapePath(id)}/json"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return await ReadJsonAsync(response, DockerJsonContext.Default.ContainerInspect, $"inspect container {id}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /containers/{id}/wait</c>: blocks until the container stops; returns its exit code.</summary>
    public async Task<long> WaitContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"containers/{EscapePath(id)}/wait"), cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        var result = await ReadJsonAsync(response, DockerJsonContext.Default.WaitResponse, $"wait for container {id}", cancellationToken).ConfigureAwait(false);
        return result.StatusCode;
    }

    /// <summary>The last <paramref name="tail"/> lines of stdout and stderr, interleaved; null when the container is gone.</summary>
    public async Task<string?> GetContainerLogsAsync(string id, int tail, CancellationToken cancellationToken)
    {
        var uri = $"containers/{EscapePath(id)}/logs?stdout=1&stderr=1&tail={tail.ToString(CultureInfo.InvariantCulture)}";
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccessAsync(response, $"logs of container {id}", cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var (_, _, combined) = await MultiplexedStream.ReadAllAsync(body, cancellationToken).ConfigureAwait(false);
        return combined;
    }

    /// <summary><c>GET /containers/json</c> filtered by labels (<c>key</c> or <c>key=value</c>, all must match).</summary>
    public async Task<List<ContainerSummary>> ListContainersAsync(IEnumerable<string> labelFilters, bool all, CancellationToken cancellationToken)
    {
        var uri = $"containers/json?all={Flag(all)}&filters={LabelFilter(labelFilters)}";
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, DockerJsonContext.Default.ListContainerSummary, "list containers", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="command"/> in a running container (<c>docker exec</c>) and collects its output; null when the container is gone.</summary>
    public async Task<ExecResult?> ExecAsync(string id, IReadOnlyList<string> command, string? user, CancellationToken cancellationToken)
    {
        var create = new HttpRequestMessage(HttpMethod.Post, $"containers/{EscapePath(id)}/exec")
        {
            Content = JsonContent.Create(new EngineResponses.ExecCreate([.. command], user, true, true), DockerJsonContext.Default.ExecCreate),
        };
        string execId;
        using (var response = await SendAsync(create, cancellationToken).ConfigureAwait(false))
        {
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            execId = (await ReadJsonAsync(response, DockerJsonContext.Default.IdResponse, $"exec in {id}", cancellationToken).ConfigureAwait(false)).Id;
        }

        var start = new HttpRequestMessage(HttpMethod.Post, $"exec/{EscapePath(execId)}/start")
        {
            Content = JsonContent.Create(new EngineResponses.ExecStart(false, false), DockerJsonContext.Default.ExecStart),
        };
        string stdout, stderr;
        using (var response = await SendAsync(start, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false))
        {
            await EnsureSuccessAsync(response, $"start exec in {id}", cancellationToken).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            (stdout, stderr, _) = await MultiplexedStream.ReadAllAsync(body, cancellationToken).ConfigureAwait(false);
        }

        using (var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"exec/{EscapePath(execId)}/json"), cancellationToken).ConfigureAwait(false))
        {
            var inspect = await ReadJsonAsync(response, DockerJsonContext.Default.ExecInspect, $"inspect exec in {id}", cancellationToken).ConfigureAwait(false);
            return new ExecResult(inspect.ExitCode ?? -1, stdout, stderr);
        }
    }

    // ---- plumbing

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        // The request is not disposed here: a streamed build may still be sending its context when the headers arrive.
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new DockerEngineException($"Cannot reach the Docker engine ({request.Method} {request.RequestUri}): {ex.Message}", null, ex);
        }
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, string what, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, what, cancellationToken).ConfigureAwait(false);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw new DockerEngineException($"Docker engine: empty answer to {what}.", response.StatusCode);
        }
        catch (JsonException ex)
        {
            throw new DockerEngineException($"Docker engine: unreadable answer to {what}: {ex.Message}", response.StatusCode, ex);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? message = null;
        try
        {
            message = JsonSerializer.Deserialize(text, DockerJsonContext.Default.ErrorResponse)?.Message;
        }
        catch (JsonException)
        {
            // Not the engine's error shape; show the raw text.
        }
        throw new DockerEngineException($"Docker engine refused to {what}: {(int)response.StatusCode} {message ?? text.Trim()}", response.StatusCode);
    }

    /// <summary>Image names keep their <c>/</c> and <c>:</c> in the path, as the engine's router expects.</summary>
    internal static string EscapePath(string value) =>
        Uri.EscapeDataString(value).Replace("%2F", "/", StringComparison.Ordinal).Replace("%3A", ":", StringComparison.Ordinal);

    private static string Flag(bool value) => value ? "1" : "0";

    private static string ToJson(IReadOnlyDictionary<string, string> values) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(values), DockerJsonContext.Default.DictionaryStringString);

    private static string LabelFilter(IEnumerable<string> labels) =>
        Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, List<string>> { ["label"] = [.. labels] }, DockerJsonContext.Default.DictionaryStringListString));
}
