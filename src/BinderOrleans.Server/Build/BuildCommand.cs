using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using BinderOrleans.Docker;
using BinderOrleans.Registry;
using BinderOrleans.Server.Hosting;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Build;

/// <summary>
/// The image's <c>build</c> command, what a buildpacks build pod runs (<c>Kubernetes:Builder=buildpacks</c>): one build
/// by the Docker backend's own builder (clone or fetch, buildpacks, the engine at the mounted socket, then a push with
/// <c>--push</c>), printed on stdout as repo2docker's <c>--json-logs</c> lines (<c>{"phase": …, "message": …}</c>), so
/// the build pod's watcher reads it as it reads repo2docker. Settings as the service takes them (environment
/// <c>Section__Key</c>, <c>--Section:Key=value</c>); nothing else is printed. Exit code 0 when built, 1 when the build
/// failed, 2 for bad arguments or settings, 143 when stopped by SIGTERM.
/// </summary>
internal static class BuildCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        return await RunAsync(args, output, stop.Token).ConfigureAwait(false);
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var (request, push, settings, error) = BuildpacksCommand.Parse(args, Environment.GetEnvironmentVariable("GIT_CREDENTIAL_ENV"));
        if (request is null)
        {
            await WriteAsync(output, BinderEvent.Failed(error!)).ConfigureAwait(false);
            return 2;
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddBinderHubEnvironment()
            .AddCommandLine([.. settings])
            .Build();
        // No logging provider: stdout carries the JSON lines only, and the events say what the log would.
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddRepoProviders()
            .AddDockerEngine()
            .AddRegistryOptions();
        services.AddOptions<BuildOptions>().BindConfiguration(BuildOptions.Section);
        if (push) services.AddRegistryPushAndPull();
        services.AddDockerImageBuilder(push);

        await using var provider = services.BuildServiceProvider();
        IImageBuilder builder;
        try
        {
            builder = provider.GetRequiredKeyedService<IImageBuilder>(BuildBackend.Docker);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            await WriteAsync(output, BinderEvent.Failed("Bad build settings: " + ex.Message)).ConfigureAwait(false);
            return 2;
        }

        var failed = false;
        try
        {
            await foreach (var e in builder.BuildAsync(request, cancellationToken).ConfigureAwait(false))
            {
                await WriteAsync(output, e).ConfigureAwait(false);
                if (e.Phase == BinderPhase.Failed) failed = true;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await WriteAsync(output, BinderEvent.Failed("The build was stopped (SIGTERM).")).ConfigureAwait(false);
            return 143;
        }
        return failed ? 1 : 0;
    }

    /// <summary>One repo2docker JSON log line: <c>phase</c>, <c>message</c> and, when pushing, <c>progress</c>.</summary>
    internal static string Line(BinderEvent e)
    {
        using var buffer = new MemoryStream();
        // Readable in `kubectl logs`: quotes and angle brackets as they are (still valid JSON).
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("phase", e.Phase);
            json.WriteString("message", e.Message ?? "");
            if (e.Progress is { } progress)
            {
                json.WritePropertyName("progress");
                progress.WriteTo(json);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task WriteAsync(TextWriter output, BinderEvent e)
    {
        await output.WriteLineAsync(Line(e)).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }
}
