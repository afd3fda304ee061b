using BinderOrleans.Core.Options;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;

namespace BinderOrleans.Tests.Docker;

public sealed class DockerOptionsTests
{
    [Theory]
    [InlineData("unix:///var/run/docker.sock", "/var/run/docker.sock", null)]
    [InlineData("tcp://127.0.0.1:2375", null, "http://127.0.0.1:2375/")]
    public void DockerEndpoint_SupportedHosts_Parsed(string host, string? socket, string? tcp)
    {
        Assert.True(DockerEndpoint.TryParse(host, out var endpoint, out _));
        Assert.Equal(socket, endpoint.SocketPath);
        Assert.Equal(tcp, endpoint.TcpAddress?.AbsoluteUri);
    }

    [Theory]
    [InlineData("unix://relative.sock")]
    [InlineData("npipe:////./pipe/docker_engine")]
    [InlineData("tcp://host:2376/path")]
    [InlineData("")]
    public void DockerEndpoint_UnsupportedHosts_Refused(string host) => Assert.False(DockerEndpoint.TryParse(host, out _, out _));

    [Fact]
    public void Validator_Defaults_Succeed() =>
        Assert.True(new DockerOptionsValidator().Validate(null, new DockerOptions { Host = DockerOptions.DefaultHost }).Succeeded);

    [Fact]
    public void Validator_BadValues_EveryMessageNamesItsKey()
    {
        var options = new DockerOptions
        {
            Host = "ssh://somewhere",
            ApiVersion = "latest",
            NetworkMode = " ",
            WorkDirectory = "relative/dir",
            PublicHost = "not a host",
            LaunchTimeout = TimeSpan.Zero,
            CullIdleAfter = TimeSpan.Zero,
            CullInterval = TimeSpan.FromSeconds(-1),
            Labels = new() { ["bad key"] = "x" },
        };

        var result = new DockerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        foreach (var key in new[] { "Docker:Host", "Docker:ApiVersion", "Docker:NetworkMode", "Docker:WorkDirectory", "Docker:PublicHost",
                     "Docker:LaunchTimeout", "Docker:CullIdleAfter", "Docker:CullInterval", "Docker:Labels" })
        {
            Assert.Contains(failures, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("2G", 2L << 30)]
    [InlineData("512M", 512L << 20)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("100k", 100L << 10)]
    [InlineData("1048576", 1L << 20)]
    [InlineData("0", 0L)]
    public void ByteSize_BinderHubSpecifications_Parsed(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2GB")]
    [InlineData("-1G")]
    [InlineData("1.5")]
    [InlineData("lots")]
    public void ByteSize_Nonsense_Refused(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Fact]
    public void Validator_BadLimitsAndNetwork_EveryMessageNamesItsKey()
    {
        var options = new DockerOptions { MemoryLimit = "1K", CpuLimit = -1, PidsLimit = -5, ServerNetwork = "" };

        var result = new DockerOptionsValidator().Validate(null, options);

        var failures = result.Failures!.ToList();
        foreach (var key in new[] { "Docker:MemoryLimit", "Docker:CpuLimit", "Docker:PidsLimit", "Docker:ServerNetwork" })
        {
            Assert.Contains(failures, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Defaults_ServersAreLimitedAndOffTheHostNetwork()
    {
        var options = new DockerOptions();

        Assert.Equal(2L << 30, options.MemoryLimitBytes);
        Assert.Equal(1.0, options.CpuLimit);
        Assert.Equal(1024, options.PidsLimit);
        Assert.Equal("binderorleans", options.ServerNetwork);
    }
}
