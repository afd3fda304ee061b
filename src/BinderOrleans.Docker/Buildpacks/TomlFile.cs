using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>TOML configuration files (Pipfile, Project.toml, pyproject.toml) read into a table; errors name the file and the line.</summary>
internal static partial class TomlFile
{
    public static (TomlTable? Table, string? Error) Parse(string path, string text)
    {
        try
        {
            return (TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable(), null);
        }
        catch (TomlException e)
        {
            return (null, $"{path} line {e.Line}: {Position().Replace(e.Message.Split('\n')[0], "")}");
        }
    }

    /// <summary>The string at <paramref name="keys"/> (a table path), or null when absent or not a string.</summary>
    public static string? GetString(TomlTable table, params string[] keys)
    {
        object current = table;
        foreach (var key in keys)
        {
            if (current is not TomlTable t || !t.TryGetValue(key, out var next)) return null;
            current = next;
        }
        return current as string;
    }

    public static bool HasTable(TomlTable table, string key) => table.TryGetValue(key, out var value) && value is TomlTable;

    [GeneratedRegex(@"^\(\d+,\d+\)\s*:\s*error\s*:\s*")]
    private static partial Regex Position();
}
