using System.Text.Json;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// The Python version a Pipfile project asks for, as repo2docker reads it: <c>Pipfile.lock</c>'s
/// <c>_meta.requires.python_full_version</c> or <c>python_version</c>, else the Pipfile's <c>[requires]</c>; cut to
/// <c>X.Y</c>. Both files are parsed, so a malformed one fails the build naming its line.
/// </summary>
internal static class PipfileSpec
{
    /// <returns>The version (<c>X.Y</c>, or null when neither file names one), or an error naming the file and line.</returns>
    public static (string? PythonVersion, string? Error) Read(RepoLayout layout, string? pipfile, string? lockFile)
    {
        string? fromLock = null, fromPipfile = null;
        if (lockFile is not null)
        {
            try
            {
                using var document = JsonDocument.Parse(layout.ReadText(lockFile));
                if (document.RootElement.ValueKind != JsonValueKind.Object) return (null, $"{lockFile} line 1: the lock file must be a JSON object.");
                if (document.RootElement.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object
                    && meta.TryGetProperty("requires", out var requires) && requires.ValueKind == JsonValueKind.Object)
                {
                    fromLock = String(requires, "python_full_version") ?? String(requires, "python_version");
                }
            }
            catch (JsonException e)
            {
                return (null, $"{lockFile} line {(e.LineNumber ?? 0) + 1}: not valid JSON ({e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].Trim()})");
            }
        }
        if (pipfile is not null)
        {
            var (table, error) = TomlFile.Parse(pipfile, layout.ReadText(pipfile));
            if (table is null) return (null, error);
            fromPipfile = TomlFile.GetString(table, "requires", "python_full_version") ?? TomlFile.GetString(table, "requires", "python_version");
        }
        var version = fromLock ?? fromPipfile;
        return (version is null ? null : string.Join('.', version.Split('.').Take(2)), null);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
