using System.Text.Json;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// Reads a <c>devcontainer.json</c> (JSON with comments and trailing commas) into a <see cref="BuildPlan.Devcontainer"/>.
/// Only what can be honoured when building an image is accepted: <c>image</c> or <c>build</c> (<c>dockerfile</c>,
/// <c>context</c>, <c>args</c>, <c>target</c>), <c>containerEnv</c>/<c>remoteEnv</c>, <c>containerUser</c>/<c>remoteUser</c>,
/// <c>workspaceFolder</c> and the build-time lifecycle commands (<c>onCreateCommand</c>, <c>updateContentCommand</c>,
/// <c>postCreateCommand</c>). Properties that need a feature installer, Compose, host commands or run-time options
/// are refused with the file, the line and the property; editor settings (<c>customizations</c>, ports) are ignored.
/// </summary>
internal static class DevcontainerFile
{
    /// <summary>Where a repository's dev container configuration lives, in the order looked at.</summary>
    public static readonly string[] Locations = [".devcontainer/devcontainer.json", ".devcontainer.json"];

    /// <summary>Properties this builder cannot honour, and why.</summary>
    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["features"] = "dev container features need the devcontainer CLI; install the tools in the Dockerfile or postCreateCommand instead",
        ["dockerComposeFile"] = "Docker Compose configurations are not built; use image or build.dockerfile",
        ["service"] = "Docker Compose configurations are not built; use image or build.dockerfile",
        ["runServices"] = "Docker Compose configurations are not built; use image or build.dockerfile",
        ["initializeCommand"] = "it runs on the host, which a build service does not offer",
        ["postStartCommand"] = "it runs at every container start, which the notebook server's start does not do",
        ["postAttachCommand"] = "it runs when an editor attaches, which does not happen here",
        ["mounts"] = "servers get no extra mounts",
        ["workspaceMount"] = "the repository is copied into the image, not mounted",
        ["runArgs"] = "servers are started with fixed run options",
        ["privileged"] = "servers never run privileged",
        ["capAdd"] = "servers get no extra capabilities",
        ["securityOpt"] = "servers get no extra security options",
        ["init"] = "servers are started with fixed run options",
        ["appPort"] = "only the notebook server's port is published",
    };

    private static readonly JsonDocumentOptions Jsonc = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <param name="path">Repository-relative path of the file, used in messages and to resolve <c>build</c> paths.</param>
    /// <param name="readFile">Reads a repository-relative file; null when it does not exist.</param>
    public static (BuildPlan.Devcontainer? Plan, string? Error) Parse(string path, string text, Func<string, string?> readFile)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Jsonc);
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            return (null, $"{path} line {line}: not valid JSON ({e.Message.Split(" LineNumber:", 2)[0].TrimEnd('.', ' ')}).");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, $"{path} line 1: the file must hold a JSON object.");
            string Where(string property) => $"{path} line {LineNumbers.Of(text, $"\"{property}\"")}";

            foreach (var property in root.EnumerateObject())
            {
                if (Refused.TryGetValue(property.Name, out var why))
                {
                    return (null, $"{Where(property.Name)}: '{property.Name}' is not supported by this builder: {why}.");
                }
            }

            var directory = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : "";
            var plan = new BuildPlan.Devcontainer { ConfigFile = path };
            var image = String(root, "image");
            if (root.TryGetProperty("build", out var build))
            {
                if (build.ValueKind != JsonValueKind.Object) return (null, $"{Where("build")}: 'build' must be an object.");
                if (image is not null) return (null, $"{Where("image")}: give either 'image' or 'build', not both.");
                if (String(build, "dockerfile") is not { Length: > 0 } dockerfile)
                {
                    return (null, $"{Where("build")}: 'build.dockerfile' must name the Dockerfile (relative to {path}).");
                }
                var dockerfilePath = Resolve(directory, dockerfile);
                var context = Resolve(directory, String(build, "context") ?? ".");
                if (dockerfilePath is null) return (null, $"{Where("dockerfile")}: 'build.dockerfile' points outside the repository.");
                if (context is null) return (null, $"{Where("context")}: 'build.context' points outside the repository.");
                if (readFile(dockerfilePath) is not { } dockerfileText)
                {
                    return (null, $"{Where("dockerfile")}: 'build.dockerfile' names {dockerfilePath}, which is not in the repository.");
                }
                var (args, argsError) = StringMap(build, "args", Where);
                if (argsError is not null) return (null, argsError);
                var target = String(build, "target");
                if (target is not null && !IsStageName(target)) return (null, $"{Where("target")}: 'build.target' must be a stage name.");
                if (build.TryGetProperty("options", out _))
                {
                    return (null, $"{Where("options")}: 'build.options' is not supported by this builder: builds use fixed engine options.");
                }
                plan = plan with { DockerfilePath = dockerfilePath, DockerfileText = dockerfileText, Context = context, BuildArgs = args, Target = target };
            }
            else if (image is { Length: > 0 })
            {
                if (image.Any(char.IsWhiteSpace)) return (null, $"{Where("image")}: 'image' must be an image name.");
                plan = plan with { Image = image };
            }
            else
            {
                return (null, $"{path} line 1: needs 'image' or 'build.dockerfile' (Docker Compose configurations are not built).");
            }

            var (containerEnv, containerEnvError) = StringMap(root, "containerEnv", Where);
            if (containerEnvError is not null) return (null, containerEnvError);
            var (remoteEnv, remoteEnvError) = StringMap(root, "remoteEnv", Where);
            if (remoteEnvError is not null) return (null, remoteEnvError);
            var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in containerEnv.Concat(remoteEnv)) env[key] = value;
            foreach (var (key, value) in env)
            {
                if (value.Contains("${localEnv:", StringComparison.Ordinal) || value.Contains("${localWorkspaceFolder", StringComparison.Ordinal))
                {
                    return (null, $"{Where(key)}: '{key}' refers to the local machine ('${{localEnv:…}}', '${{localWorkspaceFolder}}'), which a build service does not have.");
                }
                if (key.Length == 0 || key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_')))
                {
                    return (null, $"{Where(key)}: '{key}' is not an environment variable name.");
                }
            }

            var user = String(root, "remoteUser") ?? String(root, "containerUser");
            if (user is not null && (user is "root" or "0" || user.Length == 0 || user.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$')))
            {
                var key = root.TryGetProperty("remoteUser", out _) ? "remoteUser" : "containerUser";
                return (null, $"{Where(key)}: '{key}' must name a user other than root (notebook servers do not run as root).");
            }
            var workspace = String(root, "workspaceFolder");
            if (workspace is not null && (!workspace.StartsWith('/') || workspace.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$')))
            {
                return (null, $"{Where("workspaceFolder")}: 'workspaceFolder' must be an absolute path without spaces or quotes.");
            }

            var commands = new List<BuildPlan.DevcontainerCommand>();
            foreach (var name in (ReadOnlySpan<string>)["onCreateCommand", "updateContentCommand", "postCreateCommand"])
            {
                if (!root.TryGetProperty(name, out var command)) continue;
                var (parsed, commandError) = Command(name, command, Where);
                if (commandError is not null) return (null, commandError);
                commands.AddRange(parsed);
            }
            return (plan with { Environment = env, User = user, WorkspaceFolder = workspace, Commands = commands }, null);
        }
    }

    /// <summary>A lifecycle command: a string (run by <c>/bin/sh -c</c>), an array (run as is), or an object of those (run one after another, in order).</summary>
    private static (List<BuildPlan.DevcontainerCommand> Commands, string? Error) Command(string name, JsonElement value, Func<string, string> where)
    {
        var commands = new List<BuildPlan.DevcontainerCommand>();
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                if (value.GetString() is { Length: > 0 } shell) commands.Add(new BuildPlan.DevcontainerCommand(name, shell, null));
                return (commands, null);
            case JsonValueKind.Array:
                var argv = new List<string>();
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String) return ([], $"{where(name)}: '{name}' must be a string, an array of strings, or an object of those.");
                    argv.Add(item.GetString()!);
                }
                if (argv.Count > 0) commands.Add(new BuildPlan.DevcontainerCommand(name, null, argv));
                return (commands, null);
            case JsonValueKind.Object:
                foreach (var part in value.EnumerateObject())
                {
                    if (part.Value.ValueKind == JsonValueKind.Object) return ([], $"{where(name)}: '{name}.{part.Name}' must be a string or an array of strings.");
                    var (inner, error) = Command($"{name}.{part.Name}", part.Value, where);
                    if (error is not null) return ([], error);
                    commands.AddRange(inner);
                }
                return (commands, null);
            default:
                return ([], $"{where(name)}: '{name}' must be a string, an array of strings, or an object of those.");
        }
    }

    private static (IReadOnlyDictionary<string, string> Map, string? Error) StringMap(JsonElement parent, string name, Func<string, string> where)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!parent.TryGetProperty(name, out var value)) return (map, null);
        if (value.ValueKind != JsonValueKind.Object) return (map, $"{where(name)}: '{name}' must be an object of strings.");
        foreach (var item in value.EnumerateObject())
        {
            map[item.Name] = item.Value.ValueKind switch
            {
                JsonValueKind.String => item.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => item.Value.GetRawText(),
                _ => null!,
            };
            if (map[item.Name] is null) return (map, $"{where(item.Name)}: '{name}.{item.Name}' must be a string.");
        }
        return (map, null);
    }

    private static string? String(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A repository-relative path (<c>/</c>-separated, <c>""</c> for the root), or null when it leaves the repository.</summary>
    private static string? Resolve(string directory, string relative)
    {
        if (relative.StartsWith('/')) return null;
        var parts = new List<string>();
        foreach (var part in $"{directory}/{relative}".Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0) return null;
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    private static bool IsStageName(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
