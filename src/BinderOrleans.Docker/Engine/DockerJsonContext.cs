using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonMessage))]
[JsonSerializable(typeof(EngineVersion))]
[JsonSerializable(typeof(ImageInspect))]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(ContainerInspect))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(ContainerCreateRequest))]
[JsonSerializable(typeof(EngineEvent))]
[JsonSerializable(typeof(EngineResponses.IdResponse))]
[JsonSerializable(typeof(EngineResponses.WaitResponse))]
[JsonSerializable(typeof(EngineResponses.ErrorResponse))]
[JsonSerializable(typeof(EngineResponses.ExecCreate))]
[JsonSerializable(typeof(EngineResponses.ExecStart))]
[JsonSerializable(typeof(EngineResponses.ExecInspect))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
internal sealed partial class DockerJsonContext : JsonSerializerContext;
