using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// What repo2docker reads from <c>environment.yml</c>: the Python version (first <c>python=…</c> dependency,
/// cut to <c>X.Y</c>), the R version (<c>r-base=…</c>), whether any <c>r-…</c> package is installed, and whether the
/// <c>pip:</c> section refers to local files (then the file is applied after the repository copy). <c>name:</c> is
/// ignored, as in repo2docker.
/// </summary>
/// <param name="PythonVersion"><c>X.Y</c> or <c>X</c>; null when the file does not pin Python.</param>
/// <param name="RVersion">The <c>r-base</c> pin; null when absent.</param>
/// <param name="UsesR">Some dependency starts with <c>r-</c>.</param>
/// <param name="PipHasLocalReference">The <c>pip:</c> list refers to local files.</param>
internal sealed partial record CondaEnvironmentFile(string? PythonVersion, string? RVersion, bool UsesR, bool PipHasLocalReference)
{
    public static (CondaEnvironmentFile? File, string? Error) Parse(string path, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return (null, $"{path} line {e.Start.Line}: {FirstSentence(e.InnerException?.Message ?? e.Message)}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return (new CondaEnvironmentFile(null, null, false, false), null);
        }
        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode mapping)
        {
            return (null, $"{path} line {root.Start.Line}: the file must be a mapping with a 'dependencies:' list, as conda expects.");
        }

        string? python = null, r = null;
        var usesR = false;
        var pipLocal = false;
        if (mapping.Children.TryGetValue(new YamlScalarNode("dependencies"), out var dependencies))
        {
            if (dependencies is not YamlSequenceNode list)
            {
                if (dependencies is YamlScalarNode { Value: null or "" }) return (new CondaEnvironmentFile(null, null, false, false), null);
                return (null, $"{path} line {dependencies.Start.Line}: 'dependencies' must be a list.");
            }
            foreach (var item in list)
            {
                switch (item)
                {
                    case YamlScalarNode { Value: { } dep }:
                        if (python is null && PythonPin().Match(dep) is { Success: true } p && p.Groups[1].Value.Length > 0)
                        {
                            python = string.Join('.', p.Groups[1].Value.Split('.', StringSplitOptions.RemoveEmptyEntries).Take(2));
                        }
                        if (r is null && RPin().Match(dep) is { Success: true } m && m.Groups[1].Value.Length > 0) r = m.Groups[1].Value;
                        if (dep.StartsWith("r-", StringComparison.Ordinal)) usesR = true;
                        break;
                    case YamlMappingNode section when section.Children.TryGetValue(new YamlScalarNode("pip"), out var pip):
                        if (pip is not YamlSequenceNode pipList) return (null, $"{path} line {pip.Start.Line}: 'pip' must be a list of requirements.");
                        pipLocal |= pipList.OfType<YamlScalarNode>().Any(n => n.Value is { } line && PipRequirements.HasLocalReference(line));
                        break;
                    case YamlMappingNode other:
                        return (null, $"{path} line {other.Start.Line}: only a 'pip:' list may appear among the dependencies.");
                }
            }
        }
        return (new CondaEnvironmentFile(python, r, usesR, pipLocal), null);
    }

    private static string FirstSentence(string message) => message.Split('\n')[0].Trim();

    [GeneratedRegex(@"^python\s*=+\s*([\d.]*)")]
    private static partial Regex PythonPin();

    [GeneratedRegex(@"^r-base\s*=+\s*([\d.]*)")]
    private static partial Regex RPin();
}
