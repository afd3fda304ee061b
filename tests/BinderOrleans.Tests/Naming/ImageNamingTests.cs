using BinderOrleans.Core.Naming;

namespace BinderOrleans.Tests.Naming;

/// <summary>
/// Image and build names must equal BinderHub's byte for byte, or a site switching implementations rebuilds everything.
/// Expected values: BinderHub's published example (binder-examples/octave) and the rest computed with BinderHub's
/// algorithm as documented (SHA-256 of the slug, escapism with '-' and '%X', Python slicing).
/// </summary>
public sealed class ImageNamingTests
{
    private const string Sha = "1479e0252b2e7e4d87c1e1c1e1e0c2f2c3c4c5c6";

    [Fact]
    public void GitHubSlug_MatchesBinderHubsPublishedExample()
    {
        Assert.Equal($"binder-2dexamples-2doctave-03025a:{Sha}", ImageNaming.ImageName("", "binder-examples-octave", Sha));
        Assert.Equal("build-binder-2dexamples-2doctave-03025a-147-22", ImageNaming.BuildName("binder-examples-octave", Sha));
    }

    [Theory]
    [InlineData("gcr.io/binder-prod/r2d-fd74043", "DS-100-textbook", Sha,
        "gcr.io/binder-prod/r2d-fd74043ds-2d100-2dtextbook-089fa5:1479e0252b2e7e4d87c1e1c1e1e0c2f2c3c4c5c6")]
    [InlineData("registry.example.org/my_project/r2d-", "user_name-repo_name", "ABCDEF0123456789abcdef0123456789abcdef01",
        "registry.example.org/my-project/r2d-user-5fname-2drepo-5fname-3f738a:abcdef0123456789abcdef0123456789abcdef01")]
    [InlineData("", "https://github.com/binder-examples/requirements", Sha,
        "https-3a-2f-2fgithub-2ecom-2fbinder-2dexamples-2frequirements-b24a66:1479e0252b2e7e4d87c1e1c1e1e0c2f2c3c4c5c6")]
    [InlineData("", "ünïcode-répo-😀", Sha,
        "-c3-bcn-c3-afcode-2dr-c3-a9po-2d-f0-9f-98-80-278f9a:1479e0252b2e7e4d87c1e1c1e1e0c2f2c3c4c5c6")]
    [InlineData("", "tab\there", Sha, "tab-9here-5b8765:1479e0252b2e7e4d87c1e1c1e1e0c2f2c3c4c5c6")]
    public void ImageName_PrefixSlugAndTag_AsBinderHub(string prefix, string slug, string resolvedRef, string expected)
    {
        Assert.Equal(expected, ImageNaming.ImageName(prefix, slug, resolvedRef));
    }

    [Theory]
    [InlineData("DS-100-textbook", Sha, "build-ds-2d100-2dtextbook-089fa5-147-22")]
    [InlineData("user_name-repo_name", "ABCDEF0123456789abcdef0123456789abcdef01", "build-user-5fname-2drepo-5fname-3f738a-abc-16")]
    [InlineData("https://github.com/binder-examples/requirements", Sha, "build-https-3a-2f-2fgithub-2ecom-2fbinder-2dexamp-b24a66-147-22")]
    [InlineData("ünïcode-répo-😀", Sha, "build--c3-bcn-c3-afcode-2dr-c3-a9po-2d-f0-9f-98-8-278f9a-147-22")]
    [InlineData("tab\there", Sha, "build-tab-9here-5b8765-147-22")]
    public void BuildName_AsBinderHub(string slug, string resolvedRef, string expected)
    {
        Assert.Equal(expected, ImageNaming.BuildName(slug, resolvedRef));
    }

    [Fact]
    public void LongSlug_IsCutToTheImageNameLimit_KeepingTheHash()
    {
        var slug = new string('x', 300);

        var image = ImageNaming.ImageName("", slug, Sha);
        var build = ImageNaming.BuildName(slug, Sha);

        Assert.Equal(new string('x', 248) + "-0d4e2c:" + Sha, image);
        Assert.Equal("build-" + new string('x', 43) + "-0d4e2c-147-22", build);
        Assert.Equal(ImageNaming.BuildNameLimit, build.Length);
    }

    [Fact]
    public void LongGitUrl_WithRegistryPrefix_AsBinderHub()
    {
        var slug = "https://gitlab.com/" + string.Concat(Enumerable.Repeat("long-group/", 30)) + "repo.git";

        Assert.Equal(
            "localhost:5000/binder-https-3a-2f-2fgitlab-2ecom-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flong-2dgroup-2flo-a19413:" + Sha,
            ImageNaming.ImageName("localhost:5000/binder-", slug, Sha));
        Assert.Equal("build-https-3a-2f-2fgitlab-2ecom-2flong-2dgroup-2-a19413-147-22", ImageNaming.BuildName(slug, Sha));
    }

    [Fact]
    public void PrefixLongerThanTheLimit_SlicesLikePython()
    {
        var prefix = string.Concat(Enumerable.Repeat("p/", 130));

        // 255 - 260 - 7 = -12: Python's s[:-12] keeps all but the last 12 escaped characters.
        Assert.Equal(prefix + "binder-2dexamp-03025a:" + Sha, ImageNaming.ImageName(prefix, "binder-examples-octave", Sha));
    }

    [Theory]
    [InlineData("dataverse-dvn-2ftjclkp", "3035124.v3.0", "build-dataverse-2ddvn-2d2ftjclkp-a1371f-303-21")]
    [InlineData("dataverse-s6-2fde95rt", "20460.v1.0", "build-dataverse-2ds6-2d2fde95rt-b4f9c1-204-46")]
    [InlineData("dataverse-s6-2fde95rt", "123456", "build-dataverse-2ds6-2d2fde95rt-b4f9c1-123-8d")]
    public void BuildName_IsAValidPodName_ForBinderHubsTroubleRefs(string slug, string resolvedRef, string expected)
    {
        // BinderHub's test_build_name: a '.' at the cut used to end the name with '-'.
        var name = ImageNaming.BuildName(slug, resolvedRef);

        Assert.Equal(expected, name);
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name);
        Assert.True(name.Length <= ImageNaming.BuildNameLimit);
    }

    [Theory]
    [InlineData("gcr.io/project/image:tag", "gcr.io/project/image")]
    [InlineData("localhost:5000/binder-x-abc123:deadbeef", "localhost:5000/binder-x-abc123")]
    [InlineData("localhost:5000/image", "localhost:5000/image")]
    [InlineData("r2d-abc:0123abcd", "r2d-abc")]
    [InlineData("registry.example.org:5000/project/r2d-abc:0123abcd", "registry.example.org:5000/project/r2d-abc")]
    [InlineData("registry.example.org:5000/project/r2d-abc", "registry.example.org:5000/project/r2d-abc")]
    [InlineData("r2d-abc@sha256:00ff", "r2d-abc")]
    [InlineData("plain", "plain")]
    public void WithoutTag_DropsOnlyTheTag(string image, string expected)
    {
        Assert.Equal(expected, ImageNaming.WithoutTag(image));
    }
}
