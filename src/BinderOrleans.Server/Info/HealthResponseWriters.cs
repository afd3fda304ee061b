using System.Text.Json.Nodes;
using BinderOrleans.Core.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BinderOrleans.Server.Info;

/// <summary>The bodies of the health endpoints. A <c>HEAD</c> request gets the status code only.</summary>
internal static class HealthResponseWriters
{
    /// <summary>BinderHub's <c>/health</c>: <c>{"ok": …, "checks": [{"service": …, "ok": …, …}]}</c>.</summary>
    public static Task BinderHubAsync(HttpContext context, HealthReport report)
    {
        var items = report.Entries.TryGetValue(BinderHubHealthCheck.Name, out var entry)
            && entry.Data.TryGetValue(BinderHubHealthCheck.ChecksKey, out var value) && value is BinderHealthResult[] results ? results : [];
        var list = new JsonArray();
        foreach (var r in items)
        {
            var item = new JsonObject { ["service"] = r.Service, ["ok"] = r.Ok };
            foreach (var (k, v) in r.Details ?? new Dictionary<string, object?>()) item[k] = JsonValue.Create(v);
            if (r.IgnoreFailure) item["_ignore_failure"] = true;
            list.Add(item);
        }
        return WriteAsync(context, new JsonObject { ["ok"] = report.Status != HealthStatus.Unhealthy, ["checks"] = list });
    }

    /// <summary>
    /// Probes (<c>/health/live</c>, <c>/health/ready</c>, <c>/health/silo</c>): the data of every check run, side by
    /// side (<c>silo</c>, <c>status</c>, <c>active_silos</c>, <c>draining</c>, …), and <c>ok</c>.
    /// </summary>
    public static Task ProbeAsync(HttpContext context, HealthReport report)
    {
        var body = new JsonObject { ["ok"] = report.Status != HealthStatus.Unhealthy };
        foreach (var (_, entry) in report.Entries)
        {
            foreach (var (k, v) in entry.Data) body[k] = JsonValue.Create(v);
        }
        return WriteAsync(context, body);
    }

    private static Task WriteAsync(HttpContext context, JsonObject body)
    {
        if (HttpMethods.IsHead(context.Request.Method)) return Task.CompletedTask;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
