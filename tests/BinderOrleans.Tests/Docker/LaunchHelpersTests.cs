using BinderOrleans.Docker.Builds;
using BinderOrleans.Docker.Launches;

namespace BinderOrleans.Tests.Docker;

public sealed class LaunchHelpersTests
{
    [Fact]
    public void NotebookToken_New_22UrlSafeCharactersAndFresh()
    {
        var tokens = Enumerable.Range(0, 50).Select(_ => NotebookToken.New()).ToList();

        Assert.All(tokens, t =>
        {
            Assert.Equal(22, t.Length);
            Assert.All(t, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_', $"'{c}' in {t}"));
        });
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Fact]
    public void ReadLastActivity_NotebookStatus_ParsedAsUtc()
    {
        var at = NotebookStatusClient.ReadLastActivity("{\"connections\": 0, \"kernels\": 0, \"last_activity\": \"2026-11-22T05:00:52.430880Z\", \"started\": \"2026-11-22T05:00:52.430880Z\"}");

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 5, 0, 52, TimeSpan.Zero).AddTicks(4308800), at);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"last_activity\": 5}")]
    [InlineData("not json")]
    public void ReadLastActivity_Missing_Null(string body) => Assert.Null(NotebookStatusClient.ReadLastActivity(body));

    [Theory]
    [InlineData("3.11", "3.11", true)]
    [InlineData("3.11", "3", true)]
    [InlineData("3.11", "3.1", false)]
    [InlineData("3.11", "3.9", false)]
    [InlineData("3.11", "2", false)]
    public void Satisfies_RequestedVersion(string available, string requested, bool expected) =>
        Assert.Equal(expected, BasePythonProbe.Satisfies(available, requested));

    [Fact]
    public void FindFree_Loopback_PortCanBeBound()
    {
        var port = LoopbackPorts.FindFree("127.0.0.1");

        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start();
        Assert.InRange(port, 1, 65535);
    }
}
