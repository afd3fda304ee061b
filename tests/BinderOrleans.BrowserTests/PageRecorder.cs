using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>
/// Records, across navigations, what a page showed: the build widget's states, the favicon it set, and every event
/// it handled (the widget dispatches <c>binder:state</c> and <c>binder:event</c>). Attach before the first navigation.
/// </summary>
internal sealed class PageRecorder
{
    private const string Script = """
        // Both bubble to the document, which exists before any page script runs.
        document.addEventListener("binder:state", (e) => window.__binderRecord("state", e.detail));
        document.addEventListener("binder:event", (e) => window.__binderRecord("event", JSON.stringify(e.detail)));
        document.addEventListener("DOMContentLoaded", () => {
          const icon = document.getElementById("favicon");
          if (icon) {
            // Every value the icon takes, even several within one task.
            new MutationObserver((records) => {
              for (const r of records.slice(1)) window.__binderRecord("favicon", r.oldValue);
              window.__binderRecord("favicon", icon.getAttribute("href"));
            }).observe(icon, { attributes: true, attributeFilter: ["href"], attributeOldValue: true });
          }
        });
        """;

    private readonly ConcurrentQueue<(string Kind, string Value)> _records = new();

    public static async Task<PageRecorder> AttachAsync(IPage page)
    {
        var recorder = new PageRecorder();
        await page.ExposeFunctionAsync<string, string, bool>("__binderRecord", (kind, value) =>
        {
            recorder._records.Enqueue((kind, value));
            return true;
        });
        await page.AddInitScriptAsync(Script);
        return recorder;
    }

    /// <summary>The distinct states in the order shown (repeats of the same state collapsed).</summary>
    public IReadOnlyList<string> States => Collapse(_records.Where(r => r.Kind == "state").Select(r => r.Value));

    public IReadOnlyList<string> Favicons => Collapse(_records.Where(r => r.Kind == "favicon").Select(r => r.Value.Split('/')[^1]));

    public IReadOnlyList<JsonElement> Events => _records.Where(r => r.Kind == "event").Select(r => JsonDocument.Parse(r.Value).RootElement).ToList();

    private static List<string> Collapse(IEnumerable<string> values)
    {
        var list = new List<string>();
        foreach (var v in values) if (list.Count == 0 || list[^1] != v) list.Add(v);
        return list;
    }
}
