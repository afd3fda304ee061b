namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>The last lines a process wrote, for failure messages.</summary>
internal sealed class LogTail(int capacity)
{
    private readonly Queue<string> _lines = new();

    public void Add(string? line)
    {
        if (line is null) return;
        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > capacity) _lines.Dequeue();
        }
    }

    public override string ToString()
    {
        lock (_lines) return string.Join('\n', _lines);
    }
}
