namespace BinderOrleans.Kubernetes.Api.Models;

/// <summary>One line of a watch stream: a pod change, or an <c>ERROR</c> carrying a status.</summary>
/// <param name="Type"><c>ADDED</c>, <c>MODIFIED</c>, <c>DELETED</c>, <c>BOOKMARK</c> or <c>ERROR</c>.</param>
/// <param name="Pod">The pod (its last state for <c>DELETED</c>); null for <c>ERROR</c>.</param>
/// <param name="Error">For <c>ERROR</c>: the API's status (410 = resource version too old), or why the watch request failed.</param>
internal sealed record PodWatchEvent(string Type, Pod? Pod, KubeError? Error)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
    public const string ErrorType = "ERROR";

    public static PodWatchEvent Failure(KubeError error) => new(ErrorType, null, error);
}
