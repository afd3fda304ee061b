using Docker.DotNet;

namespace BinderOrleans.Docker.Engine;

/// <summary>Builds the Docker.DotNet client for <c>Docker:Host</c> and <c>Docker:ApiVersion</c>.</summary>
internal static class DockerClientFactory
{
    /// <summary>
    /// Requests that are not streams fail after this long (a hung engine must not hang a launch); builds, pushes,
    /// pulls, waits and logs are streams and run until their own token ends them.
    /// </summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    public static IDockerClient Create(DockerOptions options)
    {
        if (!DockerEndpoint.TryParse(options.Host, out var endpoint, out var error)) throw new ArgumentException(error, nameof(options));
        return new DockerClientBuilder()
            .WithEndpoint(endpoint.Uri)
            .WithApiVersion(Version.Parse(options.ApiVersion))
            .WithTimeout(RequestTimeout)
            .Build();
    }
}
