using BinderOrleans.Core.Outbound;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.IntegrationTests.Providers;

/// <summary>
/// Issue 21, ssh: a recording <c>ssh</c> first on PATH (it writes its argument vector, one per line, and fails) behind the
/// real git. With the default schemes neither the scp form nor ssh:// starts it (400 naming the setting); with ssh
/// allowed it is reached, at the checked address, and no user text is ever in option position.
/// </summary>
[Collection(PathCollection.Name)]
public sealed class SshRecorderTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _bin = Directory.CreateTempSubdirectory("binder-fake-ssh-").FullName;
    private readonly string _path = Environment.GetEnvironmentVariable("PATH") ?? "";

    public SshRecorderTests()
    {
        var script = Path.Combine(_bin, "ssh");
        File.WriteAllText(script, $"#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{Record}'; done\necho '--' >> '{Record}'\nexit 1\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // git looks its ssh up on the PATH it inherits from the service.
        Environment.SetEnvironmentVariable("PATH", _bin + ":" + _path);
    }

    private string Record => Path.Combine(_bin, "argv");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("PATH", _path);
        Directory.Delete(_bin, recursive: true);
    }

    private static GitRepoProvider Provider(params string[] schemes) =>
        new(Microsoft.Extensions.Options.Options.Create(new GitProviderOptions { AllowedSchemes = schemes.Length > 0 ? [.. schemes] : null }),
            new GitCommand(TimeProvider.System),
            new GitPin(Guard),
            NullLogger<GitRepoProvider>.Instance, GuardedGitRefs.Create(Guard));

    private static readonly OutboundGuard Guard = new(
        Microsoft.Extensions.Options.Options.Create(new OutboundOptions { AllowedTargetNetworks = ["127.0.0.2/32"] }),
        new LoopbackHostResolver(), NullLogger<OutboundGuard>.Instance);

    [Theory]
    [InlineData("git%40127.0.0.2%3Aorg%2Frepo.git/main")]
    [InlineData("ssh%3A%2F%2Fgit%40127.0.0.2%2Forg%2Frepo.git/main")]
    [InlineData("ssh%3A%2F%2Fgit%40127.0.0.2%3A2222%2Forg%2Frepo.git/main")]
    public async Task Defaults_RefuseSsh_With400NamingTheSetting_AndNoSshStarts(string spec)
    {
        var failed = Assert.IsType<ResolveResult.Failed>(await Provider().ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal(400, failed.StatusCode);
        Assert.Contains("Providers:Git:AllowedSchemes", failed.Message);
        Assert.False(File.Exists(Record), "ssh was started");
    }

    [Theory]
    [InlineData("git%40127.0.0.2%3Aorg%2Frepo.git/main", "git@127.0.0.2", "org/repo.git")]
    [InlineData("ssh%3A%2F%2Fgit%40127.0.0.2%3A2222%2F-oProxyCommand%3Dx%2Frepo.git/main", "git@127.0.0.2", "/-oProxyCommand=x/repo.git")]
    public async Task SshAllowed_ReachesSsh_AtTheCheckedAddress_WithNoUserTextInOptionPosition(string spec, string destination, string path)
    {
        var failed = Assert.IsType<ResolveResult.Failed>(await Provider("ssh").ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal(502, failed.StatusCode);
        var argv = File.ReadAllLines(Record).TakeWhile(a => a != "--").ToArray();
        Assert.Contains(destination, argv);
        Assert.Contains(argv, a => a.StartsWith("git-upload-pack", StringComparison.Ordinal) && a.Contains(path, StringComparison.Ordinal));
        // Everything before the destination is ours: fixed options and their fixed values.
        var options = argv.TakeWhile(a => a != destination).ToArray();
        for (var i = 0; i < options.Length; i++)
        {
            var option = options[i];
            Assert.True(option is "-o" or "-p" or "-4" or "-6", $"ssh {string.Join(' ', argv)}: unexpected option {option}");
            if (option == "-o")
            {
                Assert.True(options[++i] is "BatchMode=yes" or "ConnectTimeout=30" or "SendEnv=GIT_PROTOCOL", $"ssh {string.Join(' ', argv)}");
            }
            else if (option == "-p")
            {
                Assert.Equal("2222", options[++i]);
            }
        }
    }

    [Fact]
    public async Task SshAllowed_InsideTarget_IsRefusedWith403_AndNoSshStarts()
    {
        var failed = Assert.IsType<ResolveResult.Failed>(await Provider("ssh").ResolveAsync("git%40127.0.0.3%3Aorg%2Frepo.git/main", CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal(403, failed.StatusCode);
        Assert.False(File.Exists(Record), "ssh was started");
    }
}

/// <summary>Tests that change the process's PATH run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PathCollection
{
    public const string Name = "Process PATH";
}
