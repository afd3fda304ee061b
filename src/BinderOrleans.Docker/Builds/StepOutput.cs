using System.Text.RegularExpressions;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// Remembers the output of the build step that is running, so that a failure can name the line that explains it
/// (apt's <c>E: Unable to locate package …</c>, pip's <c>ERROR: …</c>) instead of only the engine's
/// "returned a non-zero code".
/// </summary>
internal sealed partial class StepOutput
{
    private const int Kept = 200;
    private readonly Queue<string> _lines = new();

    /// <summary>The step being run (<c>Step 5/17 : RUN …</c>), once one started.</summary>
    public string? Step { get; private set; }

    public void Add(string line)
    {
        // The engine wraps a step's stderr in colour codes (ESC[91m … ESC[0m).
        var text = Colour().Replace(line, "").TrimEnd('\r', '\n');
        if (StepHeader().IsMatch(text))
        {
            Step = text;
            _lines.Clear();
            return;
        }
        if (text.Length == 0 || text.StartsWith(" ---> ", StringComparison.Ordinal)) return;
        if (_lines.Count == Kept) _lines.Dequeue();
        _lines.Enqueue(text);
    }

    /// <summary>The step's last line that reads as an error, else its last line; null when it printed nothing.</summary>
    public string? ErrorLine()
    {
        string? last = null;
        string? error = null;
        foreach (var line in _lines)
        {
            last = line;
            if (ErrorMarker().IsMatch(line)) error = line;
        }
        return (error ?? last)?.Trim();
    }

    /// <summary>The engine's error followed by the step and its error line, when the step printed one.</summary>
    public string Describe(string engineError)
    {
        var message = engineError.TrimEnd();
        if (ErrorLine() is { } line && !message.Contains(line, StringComparison.Ordinal))
        {
            message += Step is null ? $"\n{line}" : $"\n{Step}\n{line}";
        }
        return message;
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Colour();

    [GeneratedRegex(@"^Step \d+/\d+ : ")]
    private static partial Regex StepHeader();

    [GeneratedRegex(@"^\s*(E:|ERROR|Error|error|fatal:|FATAL|critical libmamba|[\w.]+(Error|Exception)\b|.*: command not found)")]
    private static partial Regex ErrorMarker();
}
