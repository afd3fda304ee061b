using System.Net;

namespace BinderOrleans.Docker.Engine;

/// <summary>The engine answered with an unexpected status, or could not be reached. Expected outcomes (404 and the like) are values instead.</summary>
internal sealed class DockerEngineException : Exception
{
    public DockerEngineException(string message, HttpStatusCode? statusCode = null, Exception? inner = null)
        : base(message, inner) => StatusCode = statusCode;

    public HttpStatusCode? StatusCode { get; }
}
