namespace BinderOrleans.Core.Providers;

/// <summary>How an HTTP API call ended before its status is looked at: a response, or the reason there is none.</summary>
internal abstract record ApiAnswer
{
    private ApiAnswer() { }

    /// <summary>The API answered; the caller owns (and disposes) <paramref name="Response"/>.</summary>
    public sealed record Answered(HttpResponseMessage Response) : ApiAnswer;

    /// <summary>No answer: timeout (504) or network failure (502). <paramref name="Message"/> is for the user.</summary>
    public sealed record Unanswered(string Message, int StatusCode, HttpRequestException? Exception) : ApiAnswer;
}
