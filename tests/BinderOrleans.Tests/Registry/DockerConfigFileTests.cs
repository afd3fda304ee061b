using System.Text;
using BinderOrleans.Registry;

namespace BinderOrleans.Tests.Registry;

public sealed class DockerConfigFileTests
{
    private static string Auth(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Fact]
    public void Parse_AuthEntry_DecodesUserAndPasswordWithColons()
    {
        var config = DockerConfigFile.Parse($$"""{"auths": {"registry.example.org": {"auth": "{{Auth("_json_key", "{\"a\":1}:x")}}"} } }""");

        var entry = Assert.Single(config.Auths);
        Assert.Equal("registry.example.org", entry.Key);
        Assert.Equal(new DockerAuth("_json_key", "{\"a\":1}:x", null), entry.Value);
    }

    [Fact]
    public void Parse_IdentityToken_IsKept()
    {
        var config = DockerConfigFile.Parse("""{"auths": {"r.example.org": {"identitytoken": "refresh-me"} } }""");

        Assert.Equal("refresh-me", config.Auths[0].Value.IdentityToken);
    }

    [Theory]
    [InlineData("registry.example.org", "https://registry.example.org")]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000")]
    [InlineData("https://index.docker.io/v1/", "https://registry-1.docker.io")]
    public void DefaultRegistryUrl_FirstAuthsKey_AsBinderHub(string key, string url)
    {
        var config = DockerConfigFile.Parse($$"""{"auths": {"{{key}}": {"auth": "{{Auth("u", "p")}}"}, "other.example.org": {} } }""");

        Assert.Equal(url, config.DefaultRegistryUrl());
    }

    [Theory]
    [InlineData("127.0.0.1:5000", "http://127.0.0.1:5000")]
    [InlineData("http://127.0.0.1:5000/", "http://127.0.0.1:5000")]
    [InlineData("registry.example.org", "https://registry.example.org/")]
    [InlineData("https://registry.example.org", "https://registry.example.org")]
    [InlineData("https://index.docker.io/v1/", "https://registry-1.docker.io")]
    public void Find_KeyVariants_MatchTheRegistry(string key, string registryUrl)
    {
        var config = DockerConfigFile.Parse($$"""{"auths": {"elsewhere.example.org": {"auth": "{{Auth("x", "y")}}"}, "{{key}}": {"auth": "{{Auth("u", "p")}}"} } }""");

        Assert.Equal("u", config.Find(new Uri(registryUrl))?.Username);
    }

    [Fact]
    public void Find_OtherPort_DoesNotMatch()
    {
        var config = DockerConfigFile.Parse($$"""{"auths": {"127.0.0.1:5000": {"auth": "{{Auth("u", "p")}}"} } }""");

        Assert.Null(config.Find(new Uri("http://127.0.0.1:5001")));
    }

    [Fact]
    public void Load_MissingFile_IsEmpty()
    {
        Assert.Empty(DockerConfigFile.Load("/nonexistent/binder-test/config.json").Auths);
    }

    [Fact]
    public void Load_MalformedAuth_ThrowsWithoutEchoingTheSecret()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("binder-test-cfg-").FullName, "config.json");
        try
        {
            File.WriteAllText(path, """{"auths": {"r.example.org": {"auth": "bm8tY29sb24tc2VjcmV0"} } }"""); // "no-colon-secret"

            var ex = Assert.Throws<FormatException>(() => DockerConfigFile.Load(path));

            Assert.Contains(path, ex.Message);
            Assert.DoesNotContain("no-colon-secret", ex.Message);
            Assert.DoesNotContain("bm8tY29sb24tc2VjcmV0", ex.Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("/etc/binder-docker", "/etc/binder-docker/config.json")]
    [InlineData("/etc/binder-docker/push.json", "/etc/binder-docker/push.json")]
    public void ResolvePath_FolderOrFile(string configured, string expected)
    {
        Assert.Equal(expected, DockerConfigFile.ResolvePath(configured));
    }

    [Fact]
    public void ResolvePath_Unset_IsHomeDockerConfig()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

        Assert.Equal(Path.Combine(home, ".docker", "config.json"), DockerConfigFile.ResolvePath(""));
    }
}
