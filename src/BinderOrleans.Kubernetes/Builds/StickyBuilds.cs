using System.Buffers.Binary;
using System.Text;
using Konscious.Security.Cryptography;

namespace BinderOrleans.Kubernetes.Builds;

/// <summary>
/// BinderHub's sticky builds (<c>binderhub/utils.py</c> <c>rendezvous_rank</c>): every node scores
/// BLAKE2b-64 of <c>"{repo_url}-{node}"</c> read as a big-endian integer, and the highest wins. The same repository
/// keeps landing on the same node, whose builder daemon has its layers cached; a node leaving moves only its own
/// repositories. The same hash as BinderHub, so both pick the same node for a repository.
/// </summary>
internal static class StickyBuilds
{
    /// <summary>The best node for <paramref name="repoUrl"/>, or null when there is none.</summary>
    public static string? PreferredNode(string repoUrl, IEnumerable<string> nodes) =>
        nodes.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderByDescending(n => Score(repoUrl, n)).ThenBy(n => n, StringComparer.Ordinal)
            .FirstOrDefault();

    public static ulong Score(string repoUrl, string node)
    {
        using var blake = new HMACBlake2B(64);
        var digest = blake.ComputeHash(Encoding.UTF8.GetBytes($"{repoUrl}-{node}"));
        return BinaryPrimitives.ReadUInt64BigEndian(digest);
    }
}
