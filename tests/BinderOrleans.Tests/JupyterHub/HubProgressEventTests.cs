using BinderOrleans.JupyterHub.Api;

namespace BinderOrleans.Tests.JupyterHub;

public sealed class HubProgressEventTests
{
    [Fact]
    public void Parse_ReadyFailedAndPlainEvents()
    {
        Assert.Equal(new HubProgressEvent("Server ready at /user/a/", true, false),
            HubProgressEvent.Parse("""{"progress": 100, "ready": true, "message": "Server ready at /user/a/", "url": "/user/a/"}"""));
        Assert.Equal(new HubProgressEvent("Spawn failed: x", false, true),
            HubProgressEvent.Parse("""{"progress": 100, "failed": true, "message": "Spawn failed: x"}"""));
        Assert.Equal(new HubProgressEvent(null, false, false), HubProgressEvent.Parse("""{"progress": 0}"""));
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("not json")]
    [InlineData("\"text\"")]
    public void Parse_NotAnObject_IsNull(string data) => Assert.Null(HubProgressEvent.Parse(data));

    [Fact]
    public void HubResponse_PrefersTheHubsMessage()
    {
        Assert.Equal("Not allowed", new HubResponse(403, """{"status": 403, "message": "Not allowed"}""").HubMessage);
        Assert.Equal("plain text", new HubResponse(500, "plain text\n").HubMessage);
        Assert.Equal("HTTP 502", new HubResponse(502, "").HubMessage);
        Assert.Equal("the JupyterHub API at http://h/hub/api/ could not be reached (Connection refused)",
            HubResponse.Unreachable("Connection refused").Describe(new Uri("http://h/hub/api/")));
    }
}
