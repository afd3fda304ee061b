using System.Net;

namespace BinderOrleans.Docker.Engine;

/// <summary>
/// The engine refused a call (<see cref="StatusCode"/> set) or could not be reached or was lost mid-call
/// (<see cref="Unavailable"/>). Raised by <see cref="DockerClientExtensions"/> so callers catch one type whose
/// message names the engine. Expected outcomes (a missing image or container) are values instead.
/// </summary>
internal sealed class DockerEngineException : Exception
{
    public DockerEngineException(string message, HttpStatusCode? statusCode = null, Exception? inner = null)
        : base(message, inner) => StatusCode = statusCode;

    public HttpStatusCode? StatusCode { get; }

    /// <summary>True when the engine did not answer at all (not running, socket gone, connection cut).</summary>
    public bool Unavailable => StatusCode is null;
}
