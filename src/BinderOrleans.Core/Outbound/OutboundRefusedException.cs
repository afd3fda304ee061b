namespace BinderOrleans.Core.Outbound;

/// <summary>
/// A user fetch named a target the site does not allow (<see cref="OutboundGuard"/>). The message names the setting and
/// only the host as the user gave it: never the address it resolved to, and the same whether anything listens there, so
/// the event stream maps nothing. Thrown from the connect callback (HttpClient wraps it in an
/// <see cref="HttpRequestException"/>; <see cref="Find"/> digs it out) and from the git pin.
/// </summary>
public sealed class OutboundRefusedException : IOException
{
    /// <summary>The <c>status_code</c> of the <c>failed</c> event.</summary>
    public const int StatusCode = 403;

    public OutboundRefusedException(string host)
        : base(MessageFor(host)) => Host = host;

    public OutboundRefusedException()
        : this("(unknown)")
    {
    }

    public OutboundRefusedException(string message, Exception innerException)
        : base(message, innerException) => Host = "(unknown)";

    /// <summary>The host as the request named it.</summary>
    public string Host { get; }

    /// <summary>The one message of a refused target.</summary>
    public static string MessageFor(string host) =>
        $"Refusing to connect to {host}: it is not an allowed target for fetches made for users (Security:AllowedTargetNetworks).";

    /// <summary>The refusal inside <paramref name="exception"/> (itself or any inner exception), or null.</summary>
    public static OutboundRefusedException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OutboundRefusedException refused) return refused;
        }
        return null;
    }
}
