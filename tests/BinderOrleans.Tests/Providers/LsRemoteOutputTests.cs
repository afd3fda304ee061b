using BinderOrleans.Core.Providers.Git;

namespace BinderOrleans.Tests.Providers;

public sealed class LsRemoteOutputTests
{
    private const string A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string C = "cccccccccccccccccccccccccccccccccccccccc";

    [Fact]
    public void BranchBeatsLongerNamesEndingTheSame()
    {
        var output = $"{A}\trefs/heads/feature/main\n{B}\trefs/heads/main\n";

        Assert.Equal(B, LsRemoteOutput.SelectCommit(output, "main"));
    }

    [Fact]
    public void BranchBeatsTagOfTheSameName()
    {
        var output = $"{A}\trefs/heads/v1\n{B}\trefs/tags/v1\n";

        Assert.Equal(A, LsRemoteOutput.SelectCommit(output, "v1"));
    }

    [Fact]
    public void AnnotatedTag_ResolvesToThePeeledCommit()
    {
        var output = $"{A}\trefs/tags/v1\n{B}\trefs/tags/v1^{{}}\n";

        Assert.Equal(B, LsRemoteOutput.SelectCommit(output, "v1"));
        Assert.Equal(B, LsRemoteOutput.SelectCommit(output, "refs/tags/v1"));
    }

    [Fact]
    public void Head_IsMatchedExactly()
    {
        var output = $"{A}\tHEAD\n{B}\trefs/remotes/origin/HEAD\n";

        Assert.Equal(A, LsRemoteOutput.SelectCommit(output, "HEAD"));
    }

    [Fact]
    public void OtherwiseTheFirstLine_AsBinderHub()
    {
        var output = $"{C}\trefs/pull/1/head\n{A}\trefs/remotes/x/head\n";

        Assert.Equal(C, LsRemoteOutput.SelectCommit(output, "head"));
    }

    [Fact]
    public void EmptyOutput_IsNotFound()
    {
        Assert.Null(LsRemoteOutput.SelectCommit("\n", "main"));
    }

    [Theory]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaX", false)]
    [InlineData("aaaaaaa", false)]
    public void ObjectIds_AreFullLowerCaseHex(string value, bool isId)
    {
        Assert.Equal(isId, LsRemoteOutput.IsObjectId(value));
    }
}
