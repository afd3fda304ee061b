using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Image;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Providers.Image;

public sealed class ImageReferenceTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("127.0.0.1:5000/binder/demo:latest", "127.0.0.1:5000/binder/demo", "latest", null)]
    [InlineData("registry.example.org/a/b-c__d.e:v1.0_x", "registry.example.org/a/b-c__d.e", "v1.0_x", null)]
    [InlineData("localhost:5000/demo:1", "localhost:5000/demo", "1", null)]
    [InlineData("python:3.12", "python", "3.12", null)]
    [InlineData("quay.io/jupyter/base-notebook@" + Digest, "quay.io/jupyter/base-notebook", null, Digest)]
    [InlineData("quay.io/jupyter/base-notebook:tag@" + Digest, "quay.io/jupyter/base-notebook", "tag", Digest)]
    public void Parse_ValidReference_SplitsRepositoryTagAndDigest(string text, string repository, string? tag, string? digest)
    {
        var reference = ImageReference.Parse(text);
        Assert.NotNull(reference);
        Assert.Equal(repository, reference.Repository);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest);
        Assert.Equal(digest ?? tag, reference.Ref);
    }

    [Theory]
    [InlineData("127.0.0.1:5000/binder/demo")]          // no tag or digest
    [InlineData("127.0.0.1:5000/Binder/demo:latest")]   // upper case in the path
    [InlineData("--help:latest")]                       // option-looking
    [InlineData("-v:latest")]
    [InlineData("demo:-latest")]                        // tag must not start with a dash
    [InlineData("a/../b:latest")]
    [InlineData("a//b:latest")]
    [InlineData("demo:la test")]
    [InlineData("demo:latest\n")]
    [InlineData("demo@sha256:abc")]                      // short digest
    [InlineData("demo@md5:0123456789abcdef0123456789abcdef")]
    [InlineData("")]
    [InlineData("demo:latest;rm -rf /")]
    public void Parse_InvalidReference_IsNull(string text) => Assert.Null(ImageReference.Parse(text));

    [Fact]
    public void Provider_WithoutAllowedPrefixes_RefusesEverySpecWith403NamingTheSetting()
    {
        var failed = Provider().CheckSpec(Uri.EscapeDataString("127.0.0.1:5000/binder/demo:latest"));
        Assert.NotNull(failed);
        Assert.Equal(403, failed.StatusCode);
        Assert.Contains("Providers:Image:AllowedPrefixes", failed.Message);
    }

    [Fact]
    public void Provider_ReferenceOutsideThePrefixes_IsRefusedWith403()
    {
        var failed = Provider("127.0.0.1:5000/binder/").CheckSpec(Uri.EscapeDataString("127.0.0.1:5000/other/demo:latest"));
        Assert.Equal(403, failed?.StatusCode);
    }

    [Fact]
    public void Provider_MalformedReference_IsRefusedWith400EvenInsideAPrefix()
    {
        var failed = Provider("127.0.0.1:5000/binder/").CheckSpec(Uri.EscapeDataString("127.0.0.1:5000/binder/Demo:latest"));
        Assert.Equal(400, failed?.StatusCode);
    }

    [Fact]
    public async Task Provider_AllowedReference_ResolvesToItselfAsTheImage()
    {
        var spec = Uri.EscapeDataString("127.0.0.1:5000/binder/demo:v2");
        var result = await Provider("127.0.0.1:5000/binder/").ResolveAsync(spec, CancellationToken.None);
        var repo = Assert.IsType<ResolveResult.Resolved>(result).Repo;
        Assert.Equal("127.0.0.1:5000/binder/demo:v2", repo.Image);
        Assert.Equal("127.0.0.1:5000/binder/demo:v2", repo.RepoUrl);
        Assert.Equal("v2", repo.ResolvedRef);
        Assert.Equal(spec, repo.ResolvedSpec);
    }

    private static ImageRepoProvider Provider(params string[] prefixes) =>
        new(Options.Create(new ImageProviderOptions { AllowedPrefixes = [.. prefixes] }));
}
