using System.Text.Json.Serialization;

namespace BinderOrleans.Core.Providers;

/// <summary>BinderHub's <c>display_config</c>: what the UI needs to offer a provider.</summary>
public sealed record ProviderDisplayConfig
{
    [JsonPropertyName("displayName")] public required string DisplayName { get; init; }
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("spec")] public required SpecConfig Spec { get; init; }
    [JsonPropertyName("detect")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DetectConfig? Detect { get; init; }
    [JsonPropertyName("repo")] public required RepoFieldConfig Repo { get; init; }
    [JsonPropertyName("ref")] public required RefFieldConfig Ref { get; init; }

    public sealed record SpecConfig([property: JsonPropertyName("validateRegex")] string ValidateRegex);

    public sealed record DetectConfig([property: JsonPropertyName("regex")] string Regex);

    public sealed record RepoFieldConfig(
        [property: JsonPropertyName("label")] string Label,
        [property: JsonPropertyName("placeholder")] string Placeholder,
        [property: JsonPropertyName("urlEncode")] bool UrlEncode);

    public sealed record RefFieldConfig(
        [property: JsonPropertyName("enabled")] bool Enabled,
        [property: JsonPropertyName("default")] [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Default = null);
}
