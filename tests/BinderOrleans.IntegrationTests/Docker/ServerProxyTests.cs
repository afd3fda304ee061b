using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.IntegrationTests.Docker;

/// <summary>
/// Launched servers on the service's own port (<c>Docker:Proxy</c>, the default): the real server, the real engine
/// and a real notebook server behind the in-process proxy.
/// </summary>
[Collection(DockerBackendCollection.Name)]
public sealed class ServerProxyTests(DockerBackendFixture fixture) : IDisposable
{
    /// <summary>A repository whose build is one cached step: the base image as its own user.</summary>
    private readonly GitRepo _repo = GitRepo.Create(new Dictionary<string, string>
    {
        ["Dockerfile"] = "FROM binderorleans-base:bookworm\nUSER jovyan\nENV HOME=/home/jovyan\nWORKDIR /home/jovyan\n",
    });

    /// <summary>Without cookies: every call stands on its token alone (a token call logs the client in with a cookie).</summary>
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(60) };

    public void Dispose()
    {
        _repo.Dispose();
        _http.Dispose();
    }

    private async Task<BinderEvent> LaunchAsync()
    {
        var messages = await fixture.StreamAsync(_repo, _repo.Head);
        var ready = messages[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, string.Concat(messages.Select(m => m.Event.Message)));
        return ready;
    }

    [Fact]
    public async Task Launch_ServedBelowTheServicePort_TokenGuardsIt_HeadersAnd304PassThrough_StoppedAnswers404()
    {
        var ready = await LaunchAsync();
        var other = await LaunchAsync();

        Assert.Matches($"^{fixture.Server.BaseUri}user/binder-[0-9a-f]{{12}}/$", ready.Url);
        var container = await fixture.ContainerOfAsync(ready);
        using (var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout))
        {
            var inspect = await fixture.Engine.FindContainerAsync(container.ID, timeout.Token);
            Assert.True(inspect!.HostConfig!.PortBindings is null or { Count: 0 }, "no host port is published");
        }

        // The URL as handed out goes to the notebook's default page; the bare name goes below it.
        using (var root = await _http.GetAsync($"{ready.Url}?token={ready.Token}"))
        {
            Assert.Equal(HttpStatusCode.Found, root.StatusCode);
            Assert.Equal($"{new Uri(ready.Url!).AbsolutePath}tree?token={ready.Token}", root.Headers.Location!.OriginalString);
        }
        using (var bare = await _http.GetAsync($"{ready.Url!.TrimEnd('/')}?token={ready.Token}"))
        {
            Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
            Assert.Equal($"{new Uri(ready.Url!).AbsolutePath}?token={ready.Token}", bare.Headers.Location!.OriginalString);
        }

        var status = new Uri(new Uri(ready.Url!), "api/status");
        using (var answer = await _http.GetAsync($"{status}?token={ready.Token}"))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            // What the notebook server said comes through as it said it.
            Assert.StartsWith("TornadoServer/", answer.Headers.Server.ToString());
            Assert.Contains(answer.Headers.GetValues("Set-Cookie"), c => c.Contains($"Path={new Uri(ready.Url!).AbsolutePath}", StringComparison.Ordinal));
        }
        var logo = new Uri(new Uri(ready.Url!), "static/base/images/logo.png");
        using (var first = await _http.GetAsync(logo))
        using (var request = new HttpRequestMessage(HttpMethod.Get, logo))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            // Tornado's static files carry Last-Modified (and an ETag on some versions): send back what came.
            if (first.Headers.ETag is { } tag) request.Headers.IfNoneMatch.Add(tag);
            request.Headers.IfModifiedSince = first.Content.Headers.LastModified;
            Assert.True(first.Headers.ETag is not null || first.Content.Headers.LastModified is not null, "the server sent a validator");
            using var notModified = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        // Without a token, or with another server's token, the server refuses.
        using (var anonymous = await _http.GetAsync(status))
        {
            Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        }
        // A browser logged in to the other server (its cookie, scoped to its path) with that server's token: refused here.
        using (var browser = new HttpClient(new SocketsHttpHandler { UseProxy = false, CookieContainer = new CookieContainer() }) { Timeout = TimeSpan.FromSeconds(60) })
        {
            using (var loggedIn = await browser.GetAsync($"{new Uri(new Uri(other.Url!), "api/status")}?token={other.Token}"))
            {
                Assert.Equal(HttpStatusCode.OK, loggedIn.StatusCode);
            }
            using var wrongToken = await browser.GetAsync($"{status}?token={other.Token}");
            Assert.Equal(HttpStatusCode.Forbidden, wrongToken.StatusCode);
            using var noToken = await browser.GetAsync(status);
            Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        }

        // Stopped: the path answers 404 at once, and goes on doing so.
        var launcher = fixture.Server.Services.GetRequiredService<ILauncher>();
        using (var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout))
        {
            await launcher.StopAsync(container.ID, timeout.Token);
        }
        for (var i = 0; i < 2; i++)
        {
            using var gone = await _http.GetAsync($"{status}?token={ready.Token}");
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        // A name no server ever had: 404 too.
        using (var never = await _http.GetAsync(new Uri(fixture.Server.BaseUri, "user/binder-000000000000/api/status")))
        {
            Assert.Equal(HttpStatusCode.NotFound, never.StatusCode);
        }
        await fixture.RemoveAsync((await fixture.ContainerOfAsync(other)).ID);
    }

    [Fact]
    public async Task Launch_KernelRunsCodeOverItsWebSocket_And50MegabyteUploadArrivesWhole()
    {
        var ready = await LaunchAsync();
        var server = new Uri(ready.Url!);
        var token = ready.Token!;

        // A 50 MB file through the contents API in one request.
        var content = new string('x', 50 * 1024 * 1024);
        using (var upload = await _http.PutAsJsonAsync($"{server}api/contents/big.txt?token={token}", new { type = "file", format = "text", content }))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }
        var container = await fixture.ContainerOfAsync(ready);
        var size = await fixture.ExecAsync(container.ID, "stat", "-c", "%s", "/home/jovyan/big.txt");
        Assert.Equal($"{50 * 1024 * 1024}\n", size.Stdout);

        // A kernel, and code run over its WebSocket, with a browser's Origin (the server checks it against Host).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var printed = await JupyterKernelClient.RunAsync(_http, server, token, fixture.Server.BaseUri.GetLeftPart(UriPartial.Authority), "print(6 * 7)", timeout.Token);

        Assert.Equal("42\n", printed);
        await fixture.RemoveAsync(container.ID);
    }
}
