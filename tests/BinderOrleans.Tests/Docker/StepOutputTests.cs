using BinderOrleans.Docker.Builds;

namespace BinderOrleans.Tests.Docker;

public sealed class StepOutputTests
{
    [Fact]
    public void Describe_AptFailure_NamesStepAndAptErrorLine()
    {
        var step = new StepOutput();
        foreach (var line in new[]
        {
            "Step 3/20 : RUN echo earlier\n", "E: from an earlier step\n", " ---> 1234\n",
            "Step 14/20 : RUN apt-get -qq update && apt-get install --yes --no-install-recommends nosuchpkg\n",
            " ---> Running in abc\n", "Reading package lists...\n", "E: Unable to locate package nosuchpkg\n", "\n",
        })
        {
            step.Add(line);
        }

        var message = step.Describe("The command '/bin/sh -c apt-get ...' returned a non-zero code: 100");

        Assert.StartsWith("The command '/bin/sh -c apt-get ...' returned a non-zero code: 100\n", message);
        Assert.Contains("Step 14/20 : RUN apt-get", message);
        Assert.EndsWith("\nE: Unable to locate package nosuchpkg", message);
        Assert.DoesNotContain("earlier", message);
    }

    [Fact]
    public void ErrorLine_NoMarker_LastLineOfTheStep()
    {
        var step = new StepOutput();
        step.Add("Step 2/2 : RUN ./postBuild\n");
        step.Add("doing things\n");
        step.Add("gave up\n");

        Assert.Equal("gave up", step.ErrorLine());
    }

    [Fact]
    public void ErrorLine_PythonTraceback_ExceptionLine()
    {
        var step = new StepOutput();
        foreach (var line in new[] { "Step 9/9 : RUN pip install -r requirements.txt\n", "Traceback (most recent call last):\n", "  File \"x\", line 1\n", "ModuleNotFoundError: No module named 'y'\n", "done\n" })
        {
            step.Add(line);
        }

        Assert.Equal("ModuleNotFoundError: No module named 'y'", step.ErrorLine());
    }

    [Fact]
    public void Describe_NothingPrinted_EngineErrorOnly()
    {
        Assert.Equal("boom", new StepOutput().Describe("boom\n"));
    }
}

public sealed class StepOutputColourTests
{
    [Fact]
    public void ErrorLine_StderrColourCodes_Stripped()
    {
        var step = new StepOutput();
        step.Add("Step 1/1 : RUN apt-get install x\n");
        step.Add("\u001b[91mE: Unable to locate package x\n");
        step.Add("\u001b[0m");

        Assert.Equal("E: Unable to locate package x", step.ErrorLine());
    }
}

public sealed class StepOutputDottedExceptionTests
{
    [Fact]
    public void ErrorLine_DottedExceptionName_Found()
    {
        var step = new StepOutput();
        foreach (var line in new[] { "Step 7/30 : RUN python3 -c \"...\"\n", "socket.gaierror: [Errno -2] Name or service not known\n", "\n", "During handling of the above exception, another exception occurred:\n", "urllib.error.URLError: <urlopen error [Errno -2] Name or service not known>\n", "\u001b[0m" })
        {
            step.Add(line);
        }

        Assert.Equal("urllib.error.URLError: <urlopen error [Errno -2] Name or service not known>", step.ErrorLine());
    }
}

public sealed class StepOutputPipSubprocessTests
{
    private static StepOutput Feed(params string[] lines)
    {
        var step = new StepOutput();
        step.Add("Step 9/20 : RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r \"requirements.txt\"\n");
        foreach (var line in lines) step.Add(line + "\n");
        return step;
    }

    [Fact]
    public void ErrorLine_BuildDependenciesNotFound_PipsCauseNotTheSubprocessSummary()
    {
        // pip 23's output when an sdist's build requirements are on no index (as captured from a real build).
        var step = Feed(
            "  Installing build dependencies: finished with status 'error'",
            "\u001b[91m  error: subprocess-exited-with-error",
            "  ",
            "  × pip subprocess to install build dependencies did not run successfully.",
            "  │ exit code: 1",
            "  ╰─> [3 lines of output]",
            "      Looking in indexes: http://127.0.0.1:5000/simple/",
            "      ERROR: Could not find a version that satisfies the requirement setuptools>=61 (from versions: none)",
            "      ERROR: No matching distribution found for setuptools>=61",
            "      [end of output]",
            "  ",
            "  note: This error originates from a subprocess, and is likely not a problem with pip.",
            "\u001b[0m\u001b[91merror: subprocess-exited-with-error",
            "",
            "× pip subprocess to install build dependencies did not run successfully.",
            "╰─> See above for output.",
            "\u001b[0m");

        Assert.Equal("ERROR: No matching distribution found for setuptools>=61", step.ErrorLine());
    }

    [Fact]
    public void ErrorLine_MetadataGenerationFailed_TheSetupScriptsException()
    {
        var step = Feed(
            "  error: subprocess-exited-with-error",
            "  ╰─> [3 lines of output]",
            "      Traceback (most recent call last):",
            "      RuntimeError: brokenpkg needs Python 2",
            "      [end of output]",
            "error: metadata-generation-failed",
            "× Encountered error while generating package metadata.");

        Assert.Equal("RuntimeError: brokenpkg needs Python 2", step.ErrorLine());
    }

    [Fact]
    public void ErrorLine_PipsOwnError_KeptWhenAnEarlierFrameExists()
    {
        var step = Feed(
            "  ╰─> [1 lines of output]",
            "      warning: something",
            "      [end of output]",
            "ERROR: No matching distribution found for nosuchpkg==1.0");

        Assert.Equal("ERROR: No matching distribution found for nosuchpkg==1.0", step.ErrorLine());
    }
}
