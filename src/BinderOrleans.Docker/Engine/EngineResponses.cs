using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

/// <summary>Small request and response bodies of the Engine API.</summary>
internal static class EngineResponses
{
    internal sealed record IdResponse([property: JsonPropertyName("Id")] string Id);

    internal sealed record WaitResponse([property: JsonPropertyName("StatusCode")] long StatusCode);

    internal sealed record ErrorResponse([property: JsonPropertyName("message")] string? Message);

    internal sealed record ExecCreate(
        [property: JsonPropertyName("Cmd")] List<string> Cmd,
        [property: JsonPropertyName("User")] string? User,
        [property: JsonPropertyName("AttachStdout")] bool AttachStdout,
        [property: JsonPropertyName("AttachStderr")] bool AttachStderr);

    internal sealed record ExecStart(
        [property: JsonPropertyName("Detach")] bool Detach,
        [property: JsonPropertyName("Tty")] bool Tty);

    internal sealed record ExecInspect(
        [property: JsonPropertyName("Running")] bool Running,
        [property: JsonPropertyName("ExitCode")] int? ExitCode);
}
