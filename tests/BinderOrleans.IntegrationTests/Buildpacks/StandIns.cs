using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace BinderOrleans.IntegrationTests.Buildpacks;

/// <summary>
/// Stand-ins for what the build downloads: programs that only record how they were called (and make the layout
/// the real ones would), packed the way the real downloads are. The real packages are never fetched here.
/// </summary>
internal static class StandIns
{
    /// <summary>
    /// micromamba's package holds <c>bin/micromamba</c>. The real one is bzip2-compressed; this one is a plain tar
    /// (the Dockerfile opens it with Python's tarfile, which detects either). <c>create</c> makes the prefix as a venv
    /// over the base image's Python, so the image still runs a notebook server.
    /// </summary>
    public static byte[] Micromamba() => Tar(null, ("bin/micromamba", """
        #!/bin/bash
        # Stand-in for micromamba (BinderOrleans tests): records the call, makes the prefix's layout.
        echo "micromamba $* [user=$(id -un)]" >> /srv/conda/stand-in.log
        if [ "$1" = create ]; then
            prefix=""
            while [ $# -gt 0 ]; do
                if [ "$1" = --prefix ]; then prefix="$2"; fi
                shift
            done
            /usr/bin/python3 -m venv --system-site-packages "$prefix"
            mkdir -p "$prefix/conda-meta"
        fi

        """));

    /// <summary>Julia's tarball: <c>julia-X.Y.Z/bin/julia</c>, gzip-compressed like the real one.</summary>
    public static byte[] Julia(string version) => Tar(CompressionLevel.Fastest, ($"julia-{version}/bin/julia", """
        #!/bin/bash
        # Stand-in for julia (BinderOrleans tests): records the call and the project it would use.
        echo "julia $* [JULIA_PROJECT=${JULIA_PROJECT}] [user=$(id -un)]" >> "${JULIA_DEPOT_PATH}/stand-in.log"

        """));

    /// <summary>A pure-Python wheel of module <paramref name="name"/> whose <c>VALUE</c> is <paramref name="value"/>.</summary>
    public static byte[] Wheel(string name, string version, string value)
    {
        var distInfo = $"{name}-{version}.dist-info";
        var files = new List<(string Path, string Text)>
        {
            ($"{name}/__init__.py", $"VALUE = \"{value}\"\n"),
            ($"{distInfo}/METADATA", $"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"),
            ($"{distInfo}/WHEEL", "Wheel-Version: 1.0\nGenerator: binderorleans-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        };
        var record = new StringBuilder();
        foreach (var (path, text) in files)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var hash = Convert.ToBase64String(SHA256.HashData(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            record.Append(path).Append(",sha256=").Append(hash).Append(',').Append(bytes.Length).Append('\n');
        }
        record.Append(distInfo).Append("/RECORD,,\n");
        files.Add(($"{distInfo}/RECORD", record.ToString()));

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, text) in files)
            {
                using var entry = zip.CreateEntry(path).Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }
        }
        return buffer.ToArray();
    }

    private static byte[] Tar(CompressionLevel? gzip, params (string Path, string Text)[] executables)
    {
        using var buffer = new MemoryStream();
        var output = gzip is { } level ? new GZipStream(buffer, level, leaveOpen: true) : (Stream)buffer;
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, text) in executables)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, path)
                {
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                        | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text.Replace("\r", "", StringComparison.Ordinal))),
                };
                tar.WriteEntry(entry);
            }
        }
        if (output != buffer) output.Dispose();
        return buffer.ToArray();
    }
}
