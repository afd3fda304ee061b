using System.Diagnostics;

namespace BinderOrleans.Testing;

/// <summary>A git repository in a temp folder, made by the test; reachable as <c>file://</c> (allow the scheme in test config).</summary>
public sealed class GitRepo : IDisposable
{
    private GitRepo(string path) => Path = path;

    public string Path { get; }

    /// <summary><c>file://</c> URL of the repository.</summary>
    public string Url => new Uri(Path).AbsoluteUri;

    /// <summary>Creates a repository whose first commit holds <paramref name="files"/> (relative path → content).</summary>
    public static GitRepo Create(IReadOnlyDictionary<string, string> files, string branch = "main")
    {
        var path = Directory.CreateTempSubdirectory("binder-test-repo-").FullName;
        var repo = new GitRepo(path);
        repo.Git("init", "-q", "-b", branch);
        repo.Git("config", "user.email", "test@example.invalid");
        repo.Git("config", "user.name", "BinderOrleans tests");
        repo.Commit(files, "initial");
        return repo;
    }

    /// <summary>Writes the files (executable when the content starts with <c>#!</c>), commits, returns the new commit SHA.</summary>
    public string Commit(IReadOnlyDictionary<string, string> files, string message = "change")
    {
        foreach (var (relative, content) in files)
        {
            var full = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            if (content.StartsWith("#!", StringComparison.Ordinal) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(full, File.GetUnixFileMode(full) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
        }
        Git("add", "-A");
        Git("commit", "-q", "-m", message);
        return Head;
    }

    /// <summary>
    /// A Dockerfile repository built from the base image that prints <c>tick 1 … tick n</c>, one a second, and carries a
    /// unique layer before the ticks, so every instance really builds and prints them (the engine's cache cannot skip the
    /// ticking step of another instance with the same count): a build slow enough to act on while it runs.
    /// </summary>
    public static GitRepo Ticking(int ticks) => Create(new Dictionary<string, string>
    {
        ["Dockerfile"] = $"""
            FROM binderorleans-base:bookworm
            RUN echo "{Guid.NewGuid():N}" > /tmp/unique
            RUN for i in $(seq 1 {ticks}); do echo "tick $i"; sleep 1; done
            USER jovyan
            WORKDIR /home/jovyan
            """,
    });

    /// <summary>The <c>/build</c> path of this repository at its head commit, through the <c>git</c> provider.</summary>
    public string BuildPath => $"build/git/{Uri.EscapeDataString(Url)}/{Head}";

    public string Head => Git("rev-parse", "HEAD").Trim();

    public string Git(params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        // Drain both pipes at once: reading one to the end first can deadlock when the other fills.
        var stderrTask = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = stderrTask.GetAwaiter().GetResult();
        if (!p.WaitForExit(30_000)) { p.Kill(true); throw new TimeoutException("git " + string.Join(' ', args)); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
