using System.Net;
using BinderOrleans.Docker.Proxy;
using BinderOrleans.Testing.Fakes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.Tests.Docker;

/// <summary>The address a replica gives its peers for the servers it started: what Kestrel bound, reachable from elsewhere.</summary>
public sealed class ServerLocationsTests
{
    private static string? Self(string advertised, params string[] bound)
    {
        var features = new FeatureCollection();
        var addresses = new ServerAddressesFeature();
        foreach (var a in bound) addresses.Addresses.Add(a);
        features.Set<IServerAddressesFeature>(addresses);
        var silo = new FixedSiloDetails(SiloAddress.New(new IPEndPoint(IPAddress.Parse(advertised), 11111), 1));
        return new ServerLocations(null!, new BoundServer(features), silo, NullLogger<ServerLocations>.Instance).Self;
    }

    [Theory]
    [InlineData("http://127.0.0.1:41234", "10.1.2.3", "http://127.0.0.1:41234")]
    [InlineData("http://0.0.0.0:8585", "10.1.2.3", "http://10.1.2.3:8585")]
    [InlineData("http://[::]:8585", "10.1.2.3", "http://10.1.2.3:8585")]
    [InlineData("http://+:8585", "10.1.2.3", "http://10.1.2.3:8585")]
    [InlineData("http://*:8585", "fd00::5", "http://[fd00::5]:8585")]
    public void Self_WildcardHostBecomesTheAdvertisedAddress_ASpecificOneStays(string bound, string advertised, string expected) =>
        Assert.Equal(expected, Self(advertised, bound));

    [Fact]
    public void Self_HttpsFirst_ThePlainHttpAddressIsGiven() =>
        Assert.Equal("http://10.1.2.3:8080", Self("10.1.2.3", "https://0.0.0.0:8443", "http://0.0.0.0:8080"));

    [Fact]
    public void Self_NoPlainHttpAddress_NoneIsGiven() =>
        Assert.Null(Self("10.1.2.3", "https://0.0.0.0:8443"));

    private sealed class BoundServer(IFeatureCollection features) : IServer
    {
        public IFeatureCollection Features => features;

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
