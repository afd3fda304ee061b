using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>
/// Records, across navigations, what a page showed: the build widget's states, the favicon it set, and every event
/// it handled (the widget dispatches <c>binder:event</c>). Attach before the first navigation.
/// </summary>
internal sealed class PageRecorder
{
    private const string Script = """
        document.addEventListener("DOMContentLoaded", () => {
          const build = document.getElementById("build");
          const icon = document.getElementById("favicon");
          if (build) {
            new MutationObserver(() => window.__binderRecord("state", build.dataset.state))
              .observe(build, { attributes: true, attributeFilter: ["data-state"] });
            build.addEventListener("binder:event", (e) => window.__binderRecord("event", JSON.stringify(e.detail)));
          }
          if (icon) {
            new MutationObserver(() => window.__binderRecord("favicon", icon.getAttribute("href")))
              .observe(icon, { attributes: true, attributeFilter: ["href"] });
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
