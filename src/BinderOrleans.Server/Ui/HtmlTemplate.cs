using System.Collections.Concurrent;
using System.Text;
using System.Text.Encodings.Web;

namespace BinderOrleans.Server.Ui;

/// <summary>
/// The page templates (embedded <c>Ui/Templates/*.html</c>) with two kinds of holes: <c>{{name}}</c> is replaced by
/// the HTML-encoded value, <c>{{{name}}}</c> by the value as is (markup the server made itself). A hole without a
/// value becomes empty.
/// </summary>
internal static class HtmlTemplate
{
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    public static string Render(string name, IReadOnlyDictionary<string, string> values)
    {
        var template = Cache.GetOrAdd(name, Load);
        var sb = new StringBuilder(template.Length + 256);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0) break;
            sb.Append(template, i, open - i);
            var raw = open + 2 < template.Length && template[open + 2] == '{';
            var start = open + (raw ? 3 : 2);
            var close = template.IndexOf(raw ? "}}}" : "}}", start, StringComparison.Ordinal);
            if (close < 0) throw new InvalidOperationException($"Template {name}: unclosed hole at {open}.");
            var key = template[start..close].Trim();
            var value = values.TryGetValue(key, out var v) ? v : "";
            sb.Append(raw ? value : HtmlEncoder.Default.Encode(value));
            i = close + (raw ? 3 : 2);
        }
        sb.Append(template, i, template.Length - i);
        return sb.ToString();
    }

    private static string Load(string name)
    {
        var resource = $"BinderOrleans.Server.Ui.Templates.{name}.html";
        using var stream = typeof(HtmlTemplate).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Missing embedded template {resource}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
