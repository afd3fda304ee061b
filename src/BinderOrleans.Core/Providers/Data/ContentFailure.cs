namespace BinderOrleans.Core.Providers.Data;

/// <summary>Why a data repository's record could not be resolved or fetched: a message for the user and the <c>status_code</c>.</summary>
public sealed record ContentFailure(string Message, int StatusCode)
{
    /// <summary>The record (or a file of it) does not exist.</summary>
    public const int NotFoundStatus = 404;

    /// <summary>The record is larger or has more files than <c>Providers:Data</c> allows.</summary>
    public const int TooLargeStatus = 413;

    /// <summary>The record's content is unsafe or unusable (an archive entry leaving the build folder, a bad file name).</summary>
    public const int UnsafeStatus = 422;

    /// <summary>The repository answered something other than what its API promises.</summary>
    public const int UpstreamStatus = 502;
}
