namespace BinderOrleans.IntegrationTests.EndToEnd;

/// <summary>File sets for the repositories the end-to-end tests build.</summary>
internal static class Repos
{
    public const string Notebook = """
        {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Hello"]}],
         "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        """;

    public static string EditedNotebook(string text) => Notebook.Replace("# Hello", "# " + text, StringComparison.Ordinal);

    /// <summary>requirements.txt (a package the base image already has), apt.txt (one small package), postBuild, a notebook.</summary>
    public static Dictionary<string, string> Full() => new()
    {
        ["index.ipynb"] = Notebook,
        ["requirements.txt"] = "six\n",
        ["apt.txt"] = "# a tiny package\ntree\n",
        ["postBuild"] = "#!/bin/bash\nset -e\necho \"postBuild ran as $(whoami) in $PWD\" > \"$HOME/postbuild.txt\"\n",
    };
}
