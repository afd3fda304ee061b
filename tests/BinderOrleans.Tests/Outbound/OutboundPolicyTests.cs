using System.Net;
using BinderOrleans.Core.Outbound;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Outbound;

/// <summary>Issue 21: the guard's decision alone (no connection is ever opened here, so off-machine addresses are safe to name).</summary>
public sealed class OutboundPolicyTests
{
    private static readonly IPAddress[] Own = [IPAddress.Parse("203.0.113.7"), IPAddress.Parse("2001:db8::7")];

    private static OutboundPolicy Policy(string[]? allowed = null, string[]? blocked = null) =>
        new(new OutboundOptions { AllowedTargetNetworks = [.. allowed ?? []], BlockedTargetNetworks = [.. blocked ?? []] }, Own);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.3")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("fc00::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("::127.0.0.1")]
    [InlineData("203.0.113.7")]
    [InlineData("2001:db8::7")]
    public void InsideAddress_IsRefusedByDefault(string address) =>
        Assert.False(Policy().IsAllowed(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("140.82.121.4")]
    [InlineData("185.199.108.133")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("2606:50c0:8000::154")]
    [InlineData("::ffff:140.82.121.4")]
    public void InternetAddress_IsAllowedByDefault(string address) =>
        Assert.True(Policy().IsAllowed(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("2130706435")]
    [InlineData("0x7f000003")]
    [InlineData("0177.0.0.3")]
    [InlineData("127.3")]
    [InlineData("0x7f.0.0.3")]
    public void OtherWaysToWriteTheInsideAddress_AreTheSameAddress_AndRefused(string written)
    {
        Assert.True(IPAddress.TryParse(written, out var address), written);
        Assert.Equal(IPAddress.Parse("127.0.0.3"), address);
        Assert.False(Policy().IsAllowed(address!));
    }

    [Fact]
    public void AllowedTargetNetworks_OpensExactlyThatNetwork()
    {
        var policy = Policy(allowed: ["10.20.0.0/16", "127.0.0.2/32"]);

        Assert.True(policy.IsAllowed(IPAddress.Parse("10.20.30.40")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:10.20.30.40")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.2")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.21.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("127.0.0.3")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void BlockedTargetNetworks_AddsToTheDefaults_AndWinsOverAllowed()
    {
        var policy = Policy(allowed: ["10.0.0.0/8"], blocked: ["10.0.5.0/24", "198.51.100.0/24"]);

        Assert.True(policy.IsAllowed(IPAddress.Parse("10.0.4.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.0.5.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("198.51.100.20")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("198.51.101.20")));
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("not-a-network")]
    [InlineData("10.0.0.0/33")]
    public void MalformedNetwork_FailsValidation_NamingTheKey(string network)
    {
        var result = new OutboundOptionsValidator().Validate(null, new OutboundOptions { AllowedTargetNetworks = ["127.0.0.2/32", network] });

        Assert.True(result.Failed);
        Assert.Contains("Security:AllowedTargetNetworks:1", result.FailureMessage);
    }

    [Fact]
    public void WellFormedNetworks_PassValidation() =>
        Assert.Equal(ValidateOptionsResult.Success,
            new OutboundOptionsValidator().Validate(null, new OutboundOptions { AllowedTargetNetworks = ["10.20.0.0/16", "fd00::/8"], BlockedTargetNetworks = ["198.51.100.0/24"] }));
}
