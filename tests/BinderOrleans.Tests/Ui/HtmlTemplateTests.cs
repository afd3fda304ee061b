using BinderOrleans.Server.Ui;

namespace BinderOrleans.Tests.Ui;

public sealed class HtmlTemplateTests
{
    [Fact]
    public void Render_ValueWithMarkup_IsEncodedInDoubleHolesOnly()
    {
        var html = HtmlTemplate.Render("error", new Dictionary<string, string>
        {
            ["errorTitle"] = "<script>alert(1)</script>",
            ["errorMessage"] = "a & b",
            ["base"] = "/",
        });
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("a &amp; b", html);
        Assert.DoesNotContain("{{", html);
    }

    [Theory]
    [InlineData(@"^[^/]+/[^/]+/.+", "owner/repo/HEAD", true)]
    [InlineData(@"^[^/]+/[^/]+/.+", "owner%2Frepo/HEAD", false)]
    [InlineData(@"10\.\d+/(.)+", "10.5281/zenodo.3242074", true)]
    [InlineData(@"(unclosed", "anything", true)]
    public void SpecIsValid_ProviderPattern_MatchesAsTheBrowserWould(string pattern, string spec, bool valid) =>
        Assert.Equal(valid, UiApi.SpecIsValid(pattern, spec));
}
