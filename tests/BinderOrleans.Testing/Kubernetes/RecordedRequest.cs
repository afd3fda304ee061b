namespace BinderOrleans.Testing.Kubernetes;

/// <summary>One request the fake API server received.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path without the query.</param>
/// <param name="Query">Query string including <c>?</c>, or empty.</param>
public sealed record RecordedRequest(string Method, string Path, string Query)
{
    public bool IsWatch => Method == "GET" && (Query.Contains("watch=1", StringComparison.Ordinal) || Query.Contains("watch=true", StringComparison.Ordinal));

    public bool IsList => Method == "GET" && Path.EndsWith("/pods", StringComparison.Ordinal) && !IsWatch;

    public bool IsLog => Method == "GET" && Path.EndsWith("/log", StringComparison.Ordinal);
}
