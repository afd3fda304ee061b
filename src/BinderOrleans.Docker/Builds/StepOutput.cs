using System.Text.RegularExpressions;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// Remembers the output of the build step that is running, so that a failure can name the line that explains it
/// (apt's <c>E: Unable to locate package …</c>, pip's <c>ERROR: …</c>) instead of only the engine's
/// "returned a non-zero code". When pip's last word is only that a subprocess failed (<c>error: subprocess-exited-with-error</c>,
/// <c>metadata-generation-failed</c>, <c>Failed building wheel</c>), the cause is inside the subprocess's output that pip
/// framed (<c>╰─> [N lines of output]</c> … <c>[end of output]</c>), e.g. <c>ERROR: No matching distribution found for setuptools>=61</c>.
/// </summary>
internal sealed partial class StepOutput
{
    private const int Kept = 200;
    private readonly Queue<string> _lines = new();

    /// <summary>Inside pip's frame of a subprocess's output.</summary>
    private bool _inFrame;

    /// <summary>The last framed line that reads as an error, else the last framed line, of the latest frame.</summary>
    private string? _frameError;
    private string? _frameLast;

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
            (_inFrame, _frameError, _frameLast) = (false, null, null);
            return;
        }
        if (text.Length == 0 || text.StartsWith(" ---> ", StringComparison.Ordinal)) return;
        if (FrameStart().IsMatch(text))
        {
            (_inFrame, _frameError, _frameLast) = (true, null, null);
        }
        else if (_inFrame && text.Trim() == "[end of output]")
        {
            _inFrame = false;
        }
        else if (_inFrame && text.Trim().Length > 0)
        {
            _frameLast = text;
            if (ErrorMarker().IsMatch(text)) _frameError = text;
        }
        if (_lines.Count == Kept) _lines.Dequeue();
        _lines.Enqueue(text);
    }

    /// <summary>
    /// The step's last line that reads as an error, else its last line; null when it printed nothing. pip's summary of a
    /// failed subprocess gives way to the cause in that subprocess's framed output.
    /// </summary>
    public string? ErrorLine()
    {
        string? last = null;
        string? error = null;
        foreach (var line in _lines)
        {
            last = line;
            if (ErrorMarker().IsMatch(line)) error = line;
        }
        if (error is not null && PipSummary().IsMatch(error) && (_frameError ?? _frameLast) is { } cause) return cause.Trim();
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

    [GeneratedRegex(@"\[\d+ lines? of output\]\s*$")]
    private static partial Regex FrameStart();

    /// <summary>pip's closing words about a failed subprocess, which name no cause themselves.</summary>
    [GeneratedRegex(@"^\s*(error: [a-z]+(-[a-z]+)+\s*$|ERROR: Failed building wheel for |ERROR: Could not build wheels for |ERROR: Failed to build )")]
    private static partial Regex PipSummary();

    [GeneratedRegex(@"^Step \d+/\d+ : ")]
    private static partial Regex StepHeader();

    [GeneratedRegex(@"^\s*(E:|ERROR|Error|error|fatal:|FATAL|critical libmamba|[\w.]+(Error|Exception)\b|.*: command not found)")]
    private static partial Regex ErrorMarker();
}
