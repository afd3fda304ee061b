using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// Names of kept build logs: <c>{build name}-{UTC time}-{random}</c>, e.g. <c>build-owner-2drepo-1a2b3c-abc-4f-20261201t194000z-9f3c61d2</c>.
/// Readable, sortable by build, unguessable enough that logs cannot be listed by trying names, and safe as a file name
/// and a URL segment.
/// </summary>
public static partial class BuildLogIds
{
    /// <summary>Path of a log's URL, relative to the service's base URL (as BinderHub's <c>binder_request</c> is).</summary>
    public const string RelativeUrlPrefix = "api/buildlogs/";

    /// <param name="buildName">The build's name.</param>
    /// <param name="now">When the log is kept.</param>
    /// <param name="secret">
    /// A private build's log (a user's own repository): 128 random bits instead of 32, so its URL, which only its owner is
    /// sent, is a capability nobody else can find.
    /// </param>
    public static string New(string buildName, DateTimeOffset now, bool secret = false) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{buildName.ToLowerInvariant()}-{now.UtcDateTime:yyyyMMdd't'HHmmss'z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(secret ? 16 : 4))}");

    /// <summary>True for names <see cref="New"/> can make; anything else (a path, dots) is refused before touching storage.</summary>
    public static bool IsValid(string id) => ValidId().IsMatch(id);

    public static string RelativeUrl(string id) => RelativeUrlPrefix + id;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,127}$")]
    private static partial Regex ValidId();
}
