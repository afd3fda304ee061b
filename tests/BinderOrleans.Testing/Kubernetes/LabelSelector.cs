using System.Text.Json.Nodes;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>The equality-based label selector syntax: <c>a=b,c==d,e!=f,g,!h</c>.</summary>
internal sealed class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _terms = [];

    public LabelSelector(string? text)
    {
        foreach (var raw in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.Contains("!=", StringComparison.Ordinal))
            {
                var (k, v) = Split(raw, "!=");
                _terms.Add(labels => Value(labels, k) != v);
            }
            else if (raw.Contains('='))
            {
                var (k, v) = Split(raw, raw.Contains("==", StringComparison.Ordinal) ? "==" : "=");
                _terms.Add(labels => Value(labels, k) == v);
            }
            else if (raw.StartsWith('!'))
            {
                var k = raw[1..];
                _terms.Add(labels => Value(labels, k) is null);
            }
            else
            {
                _terms.Add(labels => Value(labels, raw) is not null);
            }
        }
    }

    public bool Matches(JsonObject pod) => _terms.All(t => t(pod["metadata"]?["labels"] as JsonObject));

    private static (string Key, string Value) Split(string term, string op)
    {
        var i = term.IndexOf(op, StringComparison.Ordinal);
        return (term[..i].Trim(), term[(i + op.Length)..].Trim());
    }

    private static string? Value(JsonObject? labels, string key) => (string?)labels?[key];
}
