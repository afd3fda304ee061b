using System.Net;
using BinderOrleans.Core.Builds;
using BinderOrleans.Registry;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>Image lookups against the real registry in each auth mode and manifest format.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryLookupTests(RegistryFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string NewRepository(string what) => $"binder/{what}-{Guid.NewGuid():N}"[..40];

    private static async Task<ImageLookup> LookupAsync(IDictionary<string, string?> settings, string image, CapturingLoggerProvider? logs = null)
    {
        await using var services = RegistryServices.Create(settings, logs);
        return await services.GetRequiredService<IImageRegistry>().LookupAsync(image, CancellationToken.None).WaitAsync(Timeout);
    }

    [Theory]
    [InlineData(RegistryAuthMode.None)]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task Lookup_PushedImage_IsFound(RegistryAuthMode mode)
    {
        var registry = fixture.Get(mode);
        var repository = NewRepository("found");
        using (var seeder = new RegistrySeeder(registry)) await seeder.PushAsync(repository, "abc123").WaitAsync(Timeout);

        var lookup = await LookupAsync(RegistryServices.Settings(registry), $"{registry.Host}/{repository}:abc123");

        Assert.Equal(ImageLookup.Found, lookup);
    }

    [Theory]
    [InlineData(RegistryAuthMode.None)]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task Lookup_MissingTagOrRepository_IsMissingWithoutError(RegistryAuthMode mode)
    {
        var registry = fixture.Get(mode);
        var repository = NewRepository("tagged");
        using (var seeder = new RegistrySeeder(registry)) await seeder.PushAsync(repository, "one").WaitAsync(Timeout);
        var settings = RegistryServices.Settings(registry);

        Assert.Equal(ImageLookup.Missing, await LookupAsync(settings, $"{registry.Host}/{repository}:two"));
        Assert.Equal(ImageLookup.Missing, await LookupAsync(settings, $"{registry.Host}/{NewRepository("never")}:one"));
    }

    [Theory]
    [InlineData(RegistrySeeder.DockerManifest)]
    [InlineData(RegistrySeeder.DockerManifestList)]
    [InlineData(RegistrySeeder.OciManifest)]
    [InlineData(RegistrySeeder.OciIndex)]
    public async Task Lookup_EachManifestFormat_IsFound(string mediaType)
    {
        var registry = fixture.Open;
        var repository = NewRepository("format");
        using var seeder = new RegistrySeeder(registry);
        await seeder.PushAsync(repository, "v1", mediaType).WaitAsync(Timeout);

        var lookup = await LookupAsync(RegistryServices.Settings(registry), $"{registry.Host}/{repository}:v1");

        Assert.Equal(ImageLookup.Found, lookup);
        if (mediaType is RegistrySeeder.OciManifest or RegistrySeeder.OciIndex)
        {
            // The registry hides OCI content from a client that accepts only Docker types: the Accept header is what found it.
            Assert.Equal(HttpStatusCode.NotFound, await seeder.GetManifestStatusAsync(repository, "v1", RegistrySeeder.DockerManifest).WaitAsync(Timeout));
        }
    }

    [Theory]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task Lookup_WrongPassword_FailsNamingRegistryAndStatusButNotPassword(RegistryAuthMode mode)
    {
        var registry = fixture.Get(mode);
        var repository = NewRepository("guarded");
        using (var seeder = new RegistrySeeder(registry)) await seeder.PushAsync(repository, "abc").WaitAsync(Timeout);
        const string wrongPassword = "not-the-Pa55word-xyz";
        var logs = new CapturingLoggerProvider();

        var lookup = await LookupAsync(RegistryServices.Settings(registry, password: wrongPassword), $"{registry.Host}/{repository}:abc", logs);

        Assert.False(lookup.Exists);
        Assert.NotNull(lookup.Error);
        Assert.Contains(registry.Url.ToString().TrimEnd('/'), lookup.Error);
        Assert.Contains("401", lookup.Error);
        Assert.DoesNotContain(wrongPassword, lookup.Error);
        Assert.DoesNotContain(registry.Password, lookup.Error);
        Assert.DoesNotContain(wrongPassword, logs.All);
    }

    [Theory]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task Lookup_NoCredentials_FailsWith401(RegistryAuthMode mode)
    {
        var registry = fixture.Get(mode);
        var repository = NewRepository("anon");
        using (var seeder = new RegistrySeeder(registry)) await seeder.PushAsync(repository, "abc").WaitAsync(Timeout);

        var lookup = await LookupAsync(RegistryServices.Settings(registry, withCredentials: false), $"{registry.Host}/{repository}:abc");

        Assert.False(lookup.Exists);
        Assert.Contains("401", lookup.Error);
    }

    [Fact]
    public async Task Lookup_TokenChallenge_AsksTheRealmForPullOnTheRepository()
    {
        var registry = fixture.Token;
        var repository = NewRepository("challenge");
        using (var seeder = new RegistrySeeder(registry)) await seeder.PushAsync(repository, "abc").WaitAsync(Timeout);
        registry.Tokens!.Requests.Clear();

        var lookup = await LookupAsync(RegistryServices.Settings(registry), $"{registry.Host}/{repository}:abc");

        Assert.Equal(ImageLookup.Found, lookup);
        var request = Assert.Single(registry.Tokens.Requests);
        Assert.Equal((registry.Username, TestRegistry.Service), (request.User, request.Service));
        Assert.Equal([$"repository:{repository}:pull"], request.Scopes);
    }

    [Fact]
    public async Task Lookup_ConfiguredTokenUrl_FetchesTokenFirstAndKeepsItsService()
    {
        var registry = fixture.Token;
        var repository = NewRepository("tokenurl");
        using (var seeder = new RegistrySeeder(registry)) await seeder.PushAsync(repository, "abc").WaitAsync(Timeout);
        registry.Tokens!.Requests.Clear();
        var settings = RegistryServices.Settings(registry);
        settings["Registry:TokenUrl"] = $"{registry.Tokens.Realm}?service={TestRegistry.Service}";

        var found = await LookupAsync(settings, $"{registry.Host}/{repository}:abc");
        var missing = await LookupAsync(settings, $"{registry.Host}/{repository}:other");

        Assert.Equal(ImageLookup.Found, found);
        Assert.Equal(ImageLookup.Missing, missing);
        // One token per lookup, asked up front (no 401 challenge round trip), for the registry's own service.
        Assert.Equal(2, registry.Tokens.Requests.Count);
        Assert.All(registry.Tokens.Requests, r => Assert.Equal((registry.Username, TestRegistry.Service), (r.User, r.Service)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Lookup_401ForMissingRepositoryAfterToken_FollowsNotFoundOn401(bool notFoundOn401)
    {
        // Docker Hub's way: the token server grants nothing on a repository that does not exist, so the registry says 401.
        await using var registry = await TestRegistry.StartAsync(RegistryAuthMode.Token).WaitAsync(Timeout);
        registry.Tokens!.Grants = repository => !repository.Contains("absent", StringComparison.Ordinal);
        var settings = RegistryServices.Settings(registry);
        settings["Registry:NotFoundOn401"] = notFoundOn401.ToString();

        var lookup = await LookupAsync(settings, $"{registry.Host}/binder/absent-repo:abc");

        if (notFoundOn401)
        {
            Assert.Equal(ImageLookup.Missing, lookup);
        }
        else
        {
            Assert.False(lookup.Exists);
            Assert.Contains("401", lookup.Error);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Lookup_CredentialsFromDockerConfigJson_AreUsed(bool urlFromConfig)
    {
        var registry = fixture.Basic;
        var repository = NewRepository("dockercfg");
        using (var seeder = new RegistrySeeder(registry)) await seeder.PushAsync(repository, "abc").WaitAsync(Timeout);
        var folder = Directory.CreateTempSubdirectory("binder-test-docker-config-").FullName;
        try
        {
            var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}"));
            // A bare host key means https; a key with a scheme keeps it (the only way a plain-http registry can be the default).
            var key = urlFromConfig ? registry.Url.ToString().TrimEnd('/') : registry.Host;
            var config = new System.Text.Json.Nodes.JsonObject
            {
                ["auths"] = new System.Text.Json.Nodes.JsonObject { [key] = new System.Text.Json.Nodes.JsonObject { ["auth"] = auth } },
            };
            await File.WriteAllTextAsync(Path.Combine(folder, "config.json"), config.ToJsonString());
            var settings = RegistryServices.Settings(registry, withCredentials: false);
            settings["Registry:DockerConfig"] = folder;
            if (urlFromConfig) settings["Registry:Url"] = null;

            var lookup = await LookupAsync(settings, $"{registry.Host}/{repository}:abc");

            Assert.Equal(ImageLookup.Found, lookup);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Lookup_RegistryDown_RetriesThenFailsNamingTheRegistry()
    {
        var port = TestRegistry.FreePort();
        var settings = new Dictionary<string, string?>
        {
            ["Registry:Enabled"] = "true",
            ["Registry:Url"] = $"http://127.0.0.1:{port}",
            ["Binder:ImagePrefix"] = $"127.0.0.1:{port}/binder/",
            ["Registry:DockerConfig"] = "/nonexistent/binder-test",
            ["Registry:RetryDelay"] = "00:00:00.050",
        };
        var logs = new CapturingLoggerProvider();

        var lookup = await LookupAsync(settings, $"127.0.0.1:{port}/binder/image:abc", logs);

        Assert.False(lookup.Exists);
        Assert.Contains($"http://127.0.0.1:{port}", lookup.Error);
        Assert.Contains("unreachable", lookup.Error);
        Assert.Contains("3 attempts", lookup.Error);
        Assert.Equal(2, logs.Lines.Count(l => l.Contains("retrying", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Lookup_RegistryBackBeforeRetry_FindsTheImage()
    {
        await using var registry = await TestRegistry.StartAsync(RegistryAuthMode.Basic).WaitAsync(Timeout);
        var repository = NewRepository("comeback");
        using (var seeder = new RegistrySeeder(registry)) await seeder.PushAsync(repository, "abc").WaitAsync(Timeout);
        registry.Stop();
        var settings = RegistryServices.Settings(registry);
        var time = new DelayHookTimeProvider(TimeSpan.FromMilliseconds(200), registry.StartAsync);
        await using var services = RegistryServices.Create(settings, time: time);

        var lookup = await services.GetRequiredService<IImageRegistry>().LookupAsync($"{registry.Host}/{repository}:abc", CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(1, time.Hooks);
        Assert.Equal(ImageLookup.Found, lookup);
    }
}
