using System.Text.Json;
using System.Text.Json.Serialization;

namespace BinderOrleans.Kubernetes.Api;

/// <summary>Kubernetes JSON: camelCase names, absent fields omitted.</summary>
internal static class KubeJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
