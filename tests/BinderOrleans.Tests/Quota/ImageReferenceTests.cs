using BinderOrleans.Core.Quota;

namespace BinderOrleans.Tests.Quota;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("r2d-abc:0123abcd", "r2d-abc")]
    [InlineData("registry.example.org:5000/project/r2d-abc:0123abcd", "registry.example.org:5000/project/r2d-abc")]
    [InlineData("registry.example.org:5000/project/r2d-abc", "registry.example.org:5000/project/r2d-abc")]
    [InlineData("r2d-abc@sha256:00ff", "r2d-abc")]
    [InlineData("plain", "plain")]
    public void WithoutTag_DropsOnlyTheTag(string image, string expected) => Assert.Equal(expected, ImageReference.WithoutTag(image));
}
