using System.Text;
using BinderOrleans.Registry;

namespace BinderOrleans.Docker.Engine;

/// <summary>Push and pull: the registry half of the engine client, on the same streaming reader as builds.</summary>
internal sealed partial class DockerEngineClient
{
    /// <summary>
    /// <c>POST /images/{name}/push?tag=…</c> with <c>X-Registry-Auth</c>; yields the engine's per-layer progress.
    /// Registry errors arrive as lines with <see cref="JsonMessage.ErrorMessage"/>; an engine refusal throws <see cref="DockerEngineException"/>.
    /// </summary>
    /// <param name="registryAuth">The header value (carries the password: never log it).</param>
    public IAsyncEnumerable<JsonMessage> PushImageAsync(string name, string tag, string registryAuth, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"images/{EscapePath(name)}/push?tag={Uri.EscapeDataString(tag)}");
        request.Headers.TryAddWithoutValidation(EngineRegistryAuth.HeaderName, registryAuth);
        return StreamJsonAsync(request, $"push {name}:{tag}", cancellationToken);
    }

    /// <summary><c>POST /images/create?fromImage=…&amp;tag=…</c> with <c>X-Registry-Auth</c>; yields the pull's progress.</summary>
    public IAsyncEnumerable<JsonMessage> PullImageAsync(string name, string tag, string registryAuth, CancellationToken cancellationToken)
    {
        var query = new StringBuilder("images/create?fromImage=").Append(Uri.EscapeDataString(name))
            .Append("&tag=").Append(Uri.EscapeDataString(tag));
        var request = new HttpRequestMessage(HttpMethod.Post, query.ToString());
        request.Headers.TryAddWithoutValidation(EngineRegistryAuth.HeaderName, registryAuth);
        return StreamJsonAsync(request, $"pull {name}:{tag}", cancellationToken);
    }
}
