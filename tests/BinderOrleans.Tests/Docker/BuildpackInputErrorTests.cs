using BinderOrleans.Docker.Buildpacks;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Docker;

/// <summary>Malformed configuration files fail detection (before anything is built) with the file and the line.</summary>
public sealed class BuildpackInputErrorTests
{
    private static string Error(Dictionary<string, string> files)
    {
        using var tree = new TempTree(files);
        var (plan, error) = BuildpackDetector.Detect(tree.Root);
        Assert.Null(plan);
        return Assert.IsType<string>(error);
    }

    [Fact]
    public void EnvironmentYml_BadIndentation_FileAndLine()
    {
        var error = Error(new() { ["environment.yml"] = "name: x\ndependencies:\n  - numpy\n   - pandas: [\n" });

        Assert.StartsWith("environment.yml line 4:", error);
    }

    [Fact]
    public void EnvironmentYml_NotAMapping_FileAndLine()
    {
        Assert.StartsWith("binder/environment.yml line 1:", Error(new() { ["binder/environment.yml"] = "- numpy\n- pandas\n" }));
    }

    [Fact]
    public void EnvironmentYml_PipNotAList_FileAndLine()
    {
        Assert.StartsWith("environment.yml line 3: 'pip' must be a list", Error(new() { ["environment.yml"] = "dependencies:\n  - pip:\n      numpy\n" }));
    }

    [Fact]
    public void Pipfile_BrokenToml_FileAndLine()
    {
        Assert.StartsWith("Pipfile line 3:", Error(new() { ["Pipfile"] = "[packages]\nsix = \"*\"\n[requires\n" }));
    }

    [Fact]
    public void PipfileLock_BrokenJson_FileAndLine()
    {
        Assert.StartsWith("Pipfile.lock line 2:", Error(new() { ["Pipfile.lock"] = "{\"_meta\": {},\n \"default\": {,}\n}" }));
    }

    [Fact]
    public void Description_LineWithoutField_FileAndLine()
    {
        var error = Error(new() { ["DESCRIPTION"] = "Package: demo\nVersion: 0.1\nthis is not a field\n" });

        Assert.StartsWith("DESCRIPTION line 3:", error);
        Assert.Contains("this is not a field", error);
    }

    [Fact]
    public void Description_WithoutPackage_Named()
    {
        Assert.Contains("'Package:' field is missing", Error(new() { ["DESCRIPTION"] = "Version: 0.1\n" }));
    }

    [Theory]
    [InlineData("python3.11")]
    [InlineData("r-4.3-2024-13")]
    [InlineData("python--3")]
    public void RuntimeTxt_Malformed_FileAndLine(string runtime)
    {
        var error = Error(new() { ["runtime.txt"] = runtime });

        Assert.StartsWith($"Invalid runtime.txt: '{runtime}' (line 1)", error);
        Assert.Contains(runtime, error);
    }

    [Fact]
    public void RuntimeTxt_InBinderDirectoryAfterBlankLines_PathAndRealLine()
    {
        Assert.StartsWith("Invalid binder/runtime.txt: 'python 3.11' (line 3)", Error(new() { ["binder/runtime.txt"] = "\n  \npython 3.11\n" }));
        Assert.StartsWith("binder/runtime.txt line 2: R version '5'", Error(new() { ["binder/runtime.txt"] = "\nr-5-2024-01-01\n" }));
        Assert.StartsWith(".binder/runtime.txt line 1: 'python-3.11.4' is not a Python version", Error(new() { [".binder/runtime.txt"] = "python-3.11.4\n" }));
    }

    [Fact]
    public void RuntimeTxt_SnapshotBeforeMranEnded_Refused()
    {
        Assert.Contains("too early", Error(new() { ["runtime.txt"] = "r-3.6-2018-01-01" }));
    }

    [Fact]
    public void RuntimeTxt_UnknownRVersion_FileAndLine()
    {
        Assert.StartsWith("runtime.txt line 1: R version '5'", Error(new() { ["runtime.txt"] = "r-5-2024-01-01" }));
    }

    [Fact]
    public void ProjectToml_BadCompat_FileAndLine()
    {
        Assert.StartsWith("Project.toml line 3:", Error(new() { ["Project.toml"] = "name = \"x\"\n[compat]\njulia = \"whatever\"\n" }));
    }

    [Fact]
    public void PyprojectToml_Broken_FileAndLine()
    {
        Assert.StartsWith("pyproject.toml line 2:", Error(new() { ["pyproject.toml"] = "[project]\nname = \n" }));
    }
}

public sealed class BuildpackOptionsTests
{
    private static readonly BuildpackOptionsValidator Validator = new();

    [Fact]
    public void Defaults_Valid() => Assert.True(Validator.Validate(null, new BuildpackOptions()).Succeeded);

    [Theory]
    [InlineData(nameof(BuildpackOptions.MicromambaUrl), "ftp://mirror/micromamba.tar.bz2")]
    [InlineData(nameof(BuildpackOptions.CondaChannelAlias), "not a url")]
    [InlineData(nameof(BuildpackOptions.JuliaDownloadUrl), "https://mirror.example.org/julia.tar.gz")]
    [InlineData(nameof(BuildpackOptions.RDownloadUrl), "https://mirror.example.org/r.deb")]
    [InlineData(nameof(BuildpackOptions.PipIndexUrl), "https://mirror.example.org/$(id)")]
    [InlineData(nameof(BuildpackOptions.CondaChannel), "conda forge")]
    public void BadValue_MessageNamesTheKey(string key, string value)
    {
        var options = new BuildpackOptions();
        typeof(BuildpackOptions).GetProperty(key)!.SetValue(options, value);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Buildpacks:{key}", result.FailureMessage);
    }

    [Fact]
    public void Mirror_UrlsExpandVersion()
    {
        Assert.Equal("http://127.0.0.1:8/julia/1.10/julia-1.10.4.tar.gz", BuildpackOptions.Expand("http://127.0.0.1:8/julia/{minor}/julia-{version}.tar.gz", "1.10.4"));
    }
}

public sealed class JuliaCompatTests
{
    private static readonly Version[] Releases = new[] { "1.6.7", "1.9.4", "1.10.4", "1.11.2", "0.7.0" }.Select(Version.Parse).ToArray();

    [Theory]
    [InlineData("1.6", "1.11.2")]
    [InlineData("^1.6", "1.11.2")]
    [InlineData("~1.10", "1.10.4")]
    [InlineData("=1.9.4", "1.9.4")]
    [InlineData("1.9, 0.7", "1.11.2")]
    [InlineData("0.7", "0.7.0")]
    [InlineData("< 1.10", "1.9.4")]
    public void Choose_HighestMatch(string constraint, string expected) =>
        Assert.Equal(Version.Parse(expected), JuliaCompat.Choose(constraint, Releases));

    [Fact]
    public void Choose_NothingMatches_Null() => Assert.Null(JuliaCompat.Choose("2", Releases));

    [Fact]
    public void ReadVersions_UnstableDropped()
    {
        var versions = JuliaCompat.ReadVersions("""{"1.10.4": {"stable": true}, "1.12.0-rc1": {"stable": false}, "1.11.0": {"stable": false}}""");

        Assert.Equal([new Version(1, 10, 4)], versions);
    }
}

public sealed class PythonSpecifierTests
{
    [Theory]
    [InlineData(">=3.9,<3.13", "3.12", true)]
    [InlineData(">=3.9,<3.13", "3.13", false)]
    [InlineData("~=3.10", "3.14", true)]
    [InlineData("~=3.10", "4.0", false)]
    [InlineData("==3.11.*", "3.11", true)]
    [InlineData("!=3.11.*", "3.11", false)]
    [InlineData(">3.11", "3.11", false)]
    public void Contains(string specifier, string version, bool expected) =>
        Assert.Equal(expected, PythonSpecifier.Parse(specifier)!.Contains(version));

    [Fact]
    public void Parse_Garbage_Null() => Assert.Null(PythonSpecifier.Parse("python 3"));
}
