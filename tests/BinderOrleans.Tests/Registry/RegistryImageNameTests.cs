using BinderOrleans.Registry;

namespace BinderOrleans.Tests.Registry;

public sealed class RegistryImageNameTests
{
    [Theory]
    // Registry host first: dropped.
    [InlineData("127.0.0.1:5000/binder/myrepo-2dx-abc123:deadbeef", "binder/myrepo-2dx-abc123", "deadbeef")]
    [InlineData("gcr.io/binder-prod/r2d-fd74043miykael-2dnipype:4c1b4e2", "binder-prod/r2d-fd74043miykael-2dnipype", "4c1b4e2")]
    [InlineData("registry.gitlab.com/group/sub/project:v1", "group/sub/project", "v1")]
    // Docker Hub names ([a-z0-9]{4,40}/[a-z0-9._-]{2,255}): kept whole.
    [InlineData("binderuser/r2d-repo-abc123:0123456", "binderuser/r2d-repo-abc123", "0123456")]
    [InlineData("binderuser/a_b.c-d:tag", "binderuser/a_b.c-d", "tag")]
    // Too short a user for a Docker Hub name: the first component counts as a host.
    [InlineData("abc/repo:tag", "repo", "tag")]
    // Two levels after a short user are not a Docker Hub name either.
    [InlineData("binderuser/x/y:tag", "x/y", "tag")]
    // No slash at all: nothing to drop.
    [InlineData("plain-image:tag", "plain-image", "tag")]
    public void Parse_ImageName_GivesBinderHubsRepositoryAndTag(string image, string repository, string tag)
    {
        Assert.Equal(new RegistryImageName(repository, tag), RegistryImageName.Parse(image));
    }

    [Fact]
    public void Parse_PortButNoTag_TagIsLatest()
    {
        Assert.Equal(new RegistryImageName("binder/repo", "latest"), RegistryImageName.Parse("127.0.0.1:5000/binder/repo"));
    }

    [Fact]
    public void Parse_TrailingNewlineInName_IsNotADockerHubName()
    {
        // Python's fullmatch does not let a trailing newline through; neither does this.
        Assert.Equal("repo\n", RegistryImageName.Parse("binderuser/repo\n:tag").Repository);
    }
}
