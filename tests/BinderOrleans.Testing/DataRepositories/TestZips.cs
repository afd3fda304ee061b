using System.IO.Compression;
using System.Text;

namespace BinderOrleans.Testing.DataRepositories;

/// <summary>Zip archives for the tests, including the hostile kinds (climbing names, absolute names, links out of the tree).</summary>
public static class TestZips
{
    /// <summary>A zip of text files (name → content); a name ending in <c>/</c> is a folder entry.</summary>
    public static byte[] Of(params (string Name, string Content)[] entries) => Build(entries.Select(e => (e.Name, e.Content, Link: false)));

    /// <summary>A zip with a symbolic link entry (Unix mode 0120777 in the external attributes), as <c>zip -y</c> stores it.</summary>
    public static byte[] WithLink(string linkName, string target, params (string Name, string Content)[] files) =>
        Build(files.Select(f => (f.Name, f.Content, Link: false)).Append((linkName, target, Link: true)));

    private static byte[] Build(IEnumerable<(string Name, string Content, bool Link)> entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, link) in entries)
            {
                var entry = zip.CreateEntry(name);
                if (link) entry.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
                if (name.EndsWith('/')) continue;
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(content));
            }
        }
        return buffer.ToArray();
    }
}
