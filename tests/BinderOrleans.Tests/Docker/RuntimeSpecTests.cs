using BinderOrleans.Docker.Buildpacks;

namespace BinderOrleans.Tests.Docker;

public sealed class RuntimeSpecTests
{
    [Theory]
    [InlineData("python-3.11", "python", "3.11", null)]
    [InlineData("r-4.3", "r", "4.3", null)]
    [InlineData("r-2024-01-15", "r", null, "2024-01-15")]
    [InlineData("r-4.3-2024-01-15", "r", "4.3", "2024-01-15")]
    [InlineData("\n  python-3.11  \n", "python", "3.11", null)]
    public void Parse_TwoFourOrFiveParts_NameVersionDate(string text, string name, string? version, string? date)
    {
        var (spec, error) = RuntimeSpec.Parse(text);

        Assert.Null(error);
        Assert.Equal((name, version, date), (spec!.Name, spec.Version, spec.Date));
    }

    [Theory]
    [InlineData("python")]
    [InlineData("python-3.11-2024")]
    [InlineData("r-4.3-2024-01-15-x")]
    [InlineData("python--3.11")]
    [InlineData("-3.11")]
    [InlineData("r-4.3-24-01-15")]
    [InlineData("r-4.3-2024-1-15")]
    [InlineData("")]
    public void Parse_WrongShape_InvalidRuntimeTxt(string text)
    {
        var (spec, error) = RuntimeSpec.Parse(text);

        Assert.Null(spec);
        Assert.StartsWith("Invalid runtime.txt", error);
    }

    [Theory]
    [InlineData("python-3.11", "3.11")]
    [InlineData("python-3", "3")]
    [InlineData("r-4.3", null)]
    [InlineData("python-2024-01-01", null)]
    public void PythonVersion_PythonRuntime_MajorOrMajorMinor(string text, string? expected)
    {
        var (version, error) = RuntimeSpec.Parse(text).Spec!.PythonVersion();

        Assert.Null(error);
        Assert.Equal(expected, version);
    }

    [Theory]
    [InlineData("python-3.12.1")]
    [InlineData("python-three")]
    public void PythonVersion_NotMajorMinor_ClearError(string text)
    {
        var (version, error) = RuntimeSpec.Parse(text).Spec!.PythonVersion();

        Assert.Null(version);
        Assert.Contains("python-X.Y", error);
    }
}
