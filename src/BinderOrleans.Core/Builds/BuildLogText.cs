using System.Text;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// A build log as text: every event's <c>message</c> in stream order, each ending in a newline; events without a message
/// (bare progress) add nothing. The same text the loading page's "view raw log" shows.
/// </summary>
public static class BuildLogText
{
    public static string Render(IEnumerable<BinderEvent> events)
    {
        var text = new StringBuilder();
        foreach (var e in events)
        {
            if (string.IsNullOrEmpty(e.Message)) continue;
            text.Append(BinderEvent.WithNewline(e.Message));
        }
        return text.ToString();
    }
}
