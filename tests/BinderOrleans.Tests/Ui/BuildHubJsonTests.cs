using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Ui;

/// <summary>The hub's JSON protocol writes each event exactly as the SSE endpoint's <c>data:</c> line.</summary>
public sealed class BuildHubJsonTests
{
    public static TheoryData<BinderEvent> Events() => new()
    {
        BinderEvent.Of(BinderPhase.Waiting, "Waiting for build to start..."),
        BinderEvent.Failed("Sorry, <spec> & \"friends\" are not allowed ünïcode ☃", 403),
        new BinderEvent { Phase = BinderPhase.Built, ImageName = "r2d-owner-2drepo:abc123", Message = "Built image, launching...\n" },
        new BinderEvent
        {
            Phase = BinderPhase.Pushing,
            Progress = new JsonObject { ["sha256:1"] = new JsonObject { ["current"] = 1, ["total"] = 2 }, ["sha256:2"] = "Pushed" },
        },
        new BinderEvent
        {
            Phase = BinderPhase.Ready, Message = "server running at http://127.0.0.1:1/\n", Url = "http://127.0.0.1:1/", Token = "t",
            Image = "i:1", RepoUrl = "https://github.com/a/b", BinderRefUrl = "https://github.com/a/b/tree/1",
            BinderLaunchHost = "http://127.0.0.1:8585/", BinderRequest = "v2/gh/a/b/HEAD", BinderPersistentRequest = "v2/gh/a/b/1",
            BinderClientIp = "127.0.0.1",
        },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void StreamItem_OnTheWire_IsTheSseJson(BinderEvent e)
    {
        var protocol = new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions { PayloadSerializerOptions = BuildHubApi.PayloadOptions() }));
        var buffer = new ArrayBufferWriter<byte>();
        protocol.WriteMessage(new StreamItemMessage("1", e), buffer);

        var frame = Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\u001e');
        using var doc = JsonDocument.Parse(frame);
        Assert.Equal(BinderEventJson.Serialize(e), doc.RootElement.GetProperty("item").GetRawText());
    }

    [Fact]
    public void PayloadOptions_HubArguments_StillDeserialize()
    {
        var protocol = new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions { PayloadSerializerOptions = BuildHubApi.PayloadOptions() }));
        var frame = "{\"type\":4,\"invocationId\":\"1\",\"target\":\"Build\",\"arguments\":[\"gh\",\"a/b/HEAD\"]}\u001e";
        var input = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(frame));
        Assert.True(protocol.TryParseMessage(ref input, new Binder(), out var message));
        var invocation = Assert.IsType<StreamInvocationMessage>(message);
        Assert.Equal(["gh", "a/b/HEAD"], invocation.Arguments);
    }

    private sealed class Binder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(string), typeof(string)];

        public Type GetReturnType(string invocationId) => typeof(object);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
