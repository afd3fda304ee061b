using BinderOrleans.Server.Cluster;

namespace BinderOrleans.Tests.Cluster;

/// <summary>Without <c>Orleans:AdvertisedIP</c> or a pod IP, silos sharing a Redis on loopback advertise loopback.</summary>
public sealed class AdvertisedAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:6390", true)]
    [InlineData("localhost:6390,abortConnect=false", true)]
    [InlineData("[::1]:6390", true)]
    [InlineData("127.0.0.1:6390,127.0.0.2:6391", true)]
    [InlineData("binder-redis:6379", false)]
    [InlineData("127.0.0.1:6390,binder-redis:6379", false)]
    public void RedisOnLoopback_IsRecognised(string connectionString, bool loopback) =>
        Assert.Equal(loopback, SiloHostingExtensions.RedisIsLoopback(connectionString));
}
