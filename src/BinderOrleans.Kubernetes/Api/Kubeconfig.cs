using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BinderOrleans.Kubernetes.Api;

/// <summary>
/// The parts of one or more kubeconfig files that matter here, merged as kubectl does: for <c>current-context</c>
/// and for each named cluster, user and context, the first file that has it wins.
/// </summary>
internal sealed class Kubeconfig
{
    private readonly Dictionary<string, Entry> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _contexts = new(StringComparer.Ordinal);

    private Kubeconfig() { }

    public string? CurrentContext { get; private set; }

    /// <summary>One named entry's inner mapping (<c>cluster:</c>, <c>user:</c> or <c>context:</c>) and the folder of its file.</summary>
    public sealed record Entry(YamlMappingNode Fields, string Directory)
    {
        public string? this[string key] =>
            Fields.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar ? scalar.Value : null;

        public bool Has(string key) => Fields.Children.ContainsKey(new YamlScalarNode(key));

        /// <summary>A file path field, relative paths taken from the kubeconfig's folder (kubectl's rule).</summary>
        public string? PathOf(string key) => this[key] is { Length: > 0 } p ? System.IO.Path.GetFullPath(p, Directory) : null;
    }

    public Entry? Cluster(string name) => _clusters.GetValueOrDefault(name);

    public Entry? User(string name) => _users.GetValueOrDefault(name);

    public Entry? Context(string name) => _contexts.GetValueOrDefault(name);

    /// <summary>Reads and merges the files; a file that is not valid YAML is an error naming it.</summary>
    public static (Kubeconfig? Config, string? Error) Load(IReadOnlyList<string> paths)
    {
        var config = new Kubeconfig();
        foreach (var path in paths)
        {
            try
            {
                using var reader = new StreamReader(path);
                var stream = new YamlStream();
                stream.Load(reader);
                if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) continue;
                config.Merge(root, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            }
            catch (YamlException ex)
            {
                return (null, $"kubeconfig {path} is not valid YAML: {ex.Message}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return (null, $"kubeconfig {path} cannot be read: {ex.Message}");
            }
        }
        return (config, null);
    }

    private void Merge(YamlMappingNode root, string directory)
    {
        if (CurrentContext is null && Get(root, "current-context") is YamlScalarNode { Value: { Length: > 0 } current })
        {
            CurrentContext = current;
        }
        AddNamed(root, "clusters", "cluster", _clusters, directory);
        AddNamed(root, "users", "user", _users, directory);
        AddNamed(root, "contexts", "context", _contexts, directory);
    }

    private static void AddNamed(YamlMappingNode root, string listKey, string itemKey, Dictionary<string, Entry> into, string directory)
    {
        if (Get(root, listKey) is not YamlSequenceNode list) return;
        foreach (var item in list.Children.OfType<YamlMappingNode>())
        {
            if (Get(item, "name") is not YamlScalarNode { Value: { } name }) continue;
            var fields = Get(item, itemKey) as YamlMappingNode ?? new YamlMappingNode();
            into.TryAdd(name, new Entry(fields, directory));
        }
    }

    private static YamlNode? Get(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
