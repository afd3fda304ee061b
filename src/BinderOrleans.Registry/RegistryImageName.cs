using System.Text.RegularExpressions;
using BinderOrleans.Core.Naming;

namespace BinderOrleans.Registry;

/// <summary>
/// The repository and tag a registry knows an image by, derived from the full image name exactly as BinderHub's
/// <c>_get_image_basename_and_tag</c> does, so lookups hit the repositories BinderHub pushed to.
/// </summary>
/// <param name="Repository">Path under <c>/v2/</c>, e.g. <c>binder/myrepo-abc123</c>.</param>
/// <param name="Tag">The tag, e.g. the resolved commit.</param>
public sealed partial record RegistryImageName(string Repository, string Tag)
{
    /// <summary>
    /// Splits the tag at the last <c>:</c>; a name that fully matches <c>[a-z0-9]{4,40}/[a-z0-9._-]{2,255}</c> is a
    /// Docker Hub name and is used whole, otherwise the first path component is the registry host and is dropped.
    /// </summary>
    public static RegistryImageName Parse(string imageName)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageName);
        var (name, tag) = ImageNaming.SplitTag(imageName);
        if (DockerHubName().IsMatch(name)) return new RegistryImageName(name, tag);
        var slash = name.IndexOf('/');
        return new RegistryImageName(slash < 0 ? name : name[(slash + 1)..], tag);
    }

    [GeneratedRegex("^[a-z0-9]{4,40}/[a-z0-9._-]{2,255}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DockerHubName();
}
