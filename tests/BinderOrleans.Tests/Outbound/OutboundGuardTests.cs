using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using BinderOrleans.Core.Outbound;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.Tests.Outbound;

/// <summary>
/// Issue 21: the connect callback with a resolver that answers from a table and a socket factory that records instead
/// of connecting, so names that lead off the machine (10.x, 169.254.169.254, public addresses) are judged without any
/// connection being opened.
/// </summary>
public sealed class OutboundGuardTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<EndPoint> _connects = new();
    private readonly Dictionary<string, IPAddress[]> _names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["metadata.test"] = [IPAddress.Parse("169.254.169.254")],
        ["redis.test"] = [IPAddress.Parse("10.0.0.5")],
        ["public.test"] = [IPAddress.Parse("198.51.100.10"), IPAddress.Parse("198.51.100.11")],
        ["mixed.test"] = [IPAddress.Parse("198.51.100.10"), IPAddress.Parse("10.0.0.5")],
        ["gitlab.internal.test"] = [IPAddress.Parse("10.20.0.9")],
    };

    private OutboundGuard Guard(string[]? allowed = null, string[]? operatorUrls = null)
    {
        var options = new OutboundOptions { AllowedTargetNetworks = [.. allowed ?? []] };
        foreach (var url in operatorUrls ?? []) options.AddOperatorEndpoint(url);
        return new OutboundGuard(options, new OutboundPolicy(options, []),
            (host, _) => _names.TryGetValue(host, out var a) ? Task.FromResult(a) : throw new SocketException((int)SocketError.HostNotFound),
            (endpoint, _) =>
            {
                _connects.Enqueue(endpoint);
                return ValueTask.FromResult<Stream>(new MemoryStream());
            },
            NullLogger.Instance);
    }

    private static async Task<Exception?> ConnectAsync(OutboundGuard guard, string host, int port)
    {
        try
        {
            await using var stream = await guard.ConnectAsync(new DnsEndPoint(host, port), CancellationToken.None).AsTask().WaitAsync(Timeout);
            return null;
        }
        catch (Exception ex) when (ex is OutboundRefusedException or SocketException)
        {
            return ex;
        }
    }

    [Theory]
    [InlineData("metadata.test")]
    [InlineData("redis.test")]
    [InlineData("mixed.test")]
    [InlineData("169.254.169.254")]
    [InlineData("10.0.0.5")]
    [InlineData("[::ffff:a9fe:a9fe]")]
    [InlineData("2852039166")]
    public async Task InsideTarget_IsRefused_WithTheSettingsName_AndNothingConnects(string host)
    {
        var refused = Assert.IsType<OutboundRefusedException>(await ConnectAsync(Guard(), host, 80));

        Assert.Equal(OutboundRefusedException.MessageFor(host), refused.Message);
        Assert.Contains("Security:AllowedTargetNetworks", refused.Message);
        Assert.DoesNotContain("169.254", refused.Message.Replace(host, "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Empty(_connects);
    }

    [Fact]
    public async Task PublicName_ConnectsToTheCheckedAddress_NeverByName()
    {
        Assert.Null(await ConnectAsync(Guard(), "public.test", 443));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.10"), 443), Assert.Single(_connects));
    }

    [Fact]
    public async Task AllowedNetwork_LetsTheInternalHostThrough_AtItsCheckedAddress()
    {
        Assert.Null(await ConnectAsync(Guard(allowed: ["10.20.0.0/16"]), "gitlab.internal.test", 443));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.20.0.9"), 443), Assert.Single(_connects));
        Assert.IsType<OutboundRefusedException>(await ConnectAsync(Guard(allowed: ["10.20.0.0/16"]), "redis.test", 6379));
    }

    [Fact]
    public async Task OperatorEndpoint_IsNotChecked_ButOnlyAtItsOwnPort()
    {
        var guard = Guard(operatorUrls: ["https://gitlab.internal.test/"]);

        Assert.Null(await ConnectAsync(guard, "gitlab.internal.test", 443));
        Assert.IsType<DnsEndPoint>(Assert.Single(_connects));
        Assert.IsType<OutboundRefusedException>(await ConnectAsync(guard, "gitlab.internal.test", 22));
        Assert.Single(_connects);
    }

    [Fact]
    public async Task UnknownName_FailsAsAConnectionWould()
    {
        Assert.IsType<SocketException>(await ConnectAsync(Guard(), "nowhere.test", 80));
        Assert.Empty(_connects);
    }

    [Fact]
    public async Task Redirect_ToAnInsideHost_IsCheckedOnItsOwnConnection()
    {
        // Through a real SocketsHttpHandler: the allowed host answers a redirect (from the recording factory's stream),
        // and the handler's second connection, to the redirect's host, is refused before any socket.
        var guard = Guard();
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, token) =>
            {
                var stream = await guard.ConnectAsync(context, token);
                return context.DnsEndPoint.Host == "public.test"
                    ? new RedirectingStream("http://metadata.test/latest/meta-data/")
                    : stream;
            },
        };
        using var client = new HttpClient(handler);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://public.test/r").WaitAsync(Timeout));

        Assert.NotNull(OutboundRefusedException.Find(error));
        Assert.Equal("metadata.test", OutboundRefusedException.Find(error)!.Host);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.10"), 80), Assert.Single(_connects));
    }

    /// <summary>A connection whose peer answers every request with one redirect.</summary>
    private sealed class RedirectingStream(string location) : Stream
    {
        private readonly MemoryStream _answer = new(System.Text.Encoding.ASCII.GetBytes(
            $"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _answer.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { }
    }
}
