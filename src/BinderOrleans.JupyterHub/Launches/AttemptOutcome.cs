using BinderOrleans.Core.Streaming;

namespace BinderOrleans.JupyterHub.Launches;

/// <summary>How one launch attempt ended: the <c>ready</c> event, or why not and whether another attempt may help.</summary>
internal sealed record AttemptOutcome(BinderEvent? Ready, string Message, int StatusCode, bool Retryable)
{
    public static AttemptOutcome Succeeded(BinderEvent ready) => new(ready, "", 200, false);

    public static AttemptOutcome Failed(string message, int statusCode = 500, bool retryable = true) => new(null, message, statusCode, retryable);
}
