using System.Text;
using System.Text.Json.Nodes;
using BinderOrleans.Registry;

namespace BinderOrleans.Tests.Registry;

public sealed class EngineRegistryAuthTests
{
    private static JsonObject Decode(string header)
    {
        Assert.DoesNotContain('+', header);
        Assert.DoesNotContain('/', header);
        var padded = header.Replace('-', '+').Replace('_', '/');
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(padded)))!.AsObject();
    }

    [Fact]
    public void Encode_Password_GivesUserPasswordAndServerAddress()
    {
        var endpoint = RegistryEndpoint.Resolve(new RegistryOptions { Url = "http://127.0.0.1:5000", Username = "u", Password = "p?>~" }, DockerConfigFile.Empty);

        var json = Decode(EngineRegistryAuth.Encode(endpoint));

        Assert.Equal(3, json.Count);
        Assert.Equal(("u", "p?>~", "127.0.0.1:5000"),
            (json["username"]!.GetValue<string>(), json["password"]!.GetValue<string>(), json["serveraddress"]!.GetValue<string>()));
    }

    [Fact]
    public void Encode_IdentityToken_GivesTokenAndServerAddress()
    {
        var config = DockerConfigFile.Parse("""{"auths": {"registry.example.org": {"identitytoken": "refresh"}}}""");
        var endpoint = RegistryEndpoint.Resolve(new RegistryOptions(), config);

        var json = Decode(EngineRegistryAuth.Encode(endpoint));

        Assert.Equal("""{"identitytoken":"refresh","serveraddress":"registry.example.org"}""", json.ToJsonString());
    }

    [Fact]
    public void Encode_NoCredentials_IsStillAJsonObject()
    {
        var endpoint = RegistryEndpoint.Resolve(new RegistryOptions { Url = "http://127.0.0.1:5000" }, DockerConfigFile.Empty);

        Assert.Empty(Decode(EngineRegistryAuth.Encode(endpoint)));
    }
}
