using BinderOrleans.Registry;

namespace BinderOrleans.Tests.Registry;

public sealed class RegistryCatalogTests
{
    [Theory]
    [InlineData("</v2/_catalog?last=b%2Fx&n=1000>; rel=\"next\"", "/v2/_catalog?last=b%2Fx&n=1000")]
    [InlineData(null, null)]
    [InlineData("</v2/_catalog?last=x&n=1>; rel=\"prev\"", null)]
    // A next page on another host is never followed.
    [InlineData("<https://elsewhere.example/v2/_catalog?last=x>; rel=\"next\"", null)]
    public void NextPage_FollowsOnlyThisRegistrysNextLink(string? link, string? expected) =>
        Assert.Equal(expected, RegistryCatalog.NextPage(link));

    [Theory]
    [InlineData("127.0.0.1:5000/binder/", "binder/")]
    [InlineData("registry.example.org/project/binder-", "project/binder-")]
    [InlineData("gcr.io/proj/prefix-", "proj/prefix-")]
    public void Prefixes_RepositoryPrefix_DropsTheHostAsLookupsDo(string imagePrefix, string repositoryPrefix) =>
        Assert.Equal((imagePrefix, repositoryPrefix), RegistryImageStore.Prefixes(imagePrefix));
}
