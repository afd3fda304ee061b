using System.Text.Json.Nodes;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Launches;

/// <summary>
/// BinderHub's analytics event <c>binderhub.jupyter.org/launch</c> (version 6), one JSON object per successful
/// launch, appended to <c>Binder:EventLogPath</c> when set (mybinder.org's analytics archive reads these lines).
/// </summary>
public sealed partial class LaunchEventLog : ILaunchObserver, IDisposable
{
    public const string Schema = "binderhub.jupyter.org/launch";
    public const int Version = 6;

    private static readonly HashSet<string> KnownProviders = ["GitHub", "Gist", "GitLab", "Git", "Zenodo", "Figshare", "Hydroshare", "Dataverse", "CKAN"];

    private readonly SiteOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LaunchEventLog> _logger;
    private readonly object _gate = new();
    private StreamWriter? _writer;

    public LaunchEventLog(IOptions<SiteOptions> options, TimeProvider time, ILogger<LaunchEventLog> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public void OnLaunchFinished(LaunchReport report)
    {
        if (!report.Succeeded || string.IsNullOrEmpty(_options.EventLogPath)) return;
        var line = Format(report, _time.GetUtcNow(), _options.NormalizedOrigin);
        try
        {
            lock (_gate)
            {
                _writer ??= new StreamWriter(new FileStream(_options.EventLogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
                _writer.WriteLine(line);
            }
        }
        catch (IOException ex)
        {
            LogWriteFailed(ex, _options.EventLogPath);
        }
    }

    /// <summary>One event line; <c>provider</c> is the schema's enum (our own providers outside it are logged by id).</summary>
    public static string Format(LaunchReport report, DateTimeOffset now, string normalizedOrigin)
    {
        var provider = report.ProviderName is { } name && KnownProviders.Contains(name) ? name : report.ProviderName ?? report.ProviderId;
        return new JsonObject
        {
            ["timestamp"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["schema"] = Schema,
            ["version"] = Version,
            ["provider"] = provider,
            ["spec"] = report.Spec,
            ["ref"] = report.ResolvedRef ?? "",
            ["status"] = "success",
            ["build_token"] = report.UsedBuildToken,
            ["origin"] = normalizedOrigin.Length > 0 ? normalizedOrigin : report.Host ?? "",
            ["request_origin"] = report.Origin ?? "",
        }.ToJsonString();
    }

    public void Dispose()
    {
        lock (_gate) { _writer?.Dispose(); _writer = null; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the launch event log {Path}")]
    private partial void LogWriteFailed(Exception exception, string path);
}
