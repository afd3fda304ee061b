using System.Text;

namespace BinderOrleans.Bench.Harness;

/// <summary>A plain fixed-width text table, right-aligned.</summary>
internal static class Table
{
    public static string Format(IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { headers.ToArray() };
        all.AddRange(rows);
        var widths = headers.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var (row, n) in all.Select((r, n) => (r, n)))
        {
            sb.Append("| ").AppendJoin(" | ", row.Select((cell, i) => cell.PadLeft(widths[i]))).Append(" |\n");
            if (n == 0) sb.Append("|").AppendJoin("|", widths.Select(w => new string('-', w + 1) + ":")).Append("|\n");
        }
        return sb.ToString();
    }
}
