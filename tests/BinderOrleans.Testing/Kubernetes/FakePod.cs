using System.Text.Json.Nodes;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>A pod held by <see cref="FakeKubernetesApi"/>: its object as the API returns it, and its container's log.</summary>
internal sealed class FakePod(string @namespace, string name, JsonObject body)
{
    public string Namespace { get; } = @namespace;
    public string Name { get; } = name;
    public JsonObject Object { get; } = body;
    public List<string> Log { get; } = [];

    /// <summary>Requests following the log right now.</summary>
    public List<Microsoft.AspNetCore.Http.HttpContext> Followers { get; } = [];

    /// <summary>The container exited: a following log reader gets the rest and then the end.</summary>
    public bool LogEnded { get; set; }

    public bool Deleted { get; set; }

    public string Phase => (string?)Object["status"]?["phase"] ?? "Pending";
}
