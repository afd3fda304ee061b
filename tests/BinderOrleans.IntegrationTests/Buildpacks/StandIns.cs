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

    /// <summary>
    /// A stand-in for <c>jupyter-repo2docker</c>, for an image of its own: it parses repo2docker's command line (the
    /// options BinderHub passes, <c>--image</c> as argparse's abbreviation of <c>--image-name</c>, <c>--label</c>, the
    /// repository last), clones the repository with git, builds through the engine socket (or <c>DOCKER_HOST</c>) and
    /// speaks the <c>--json-logs</c> contract: one JSON object per line on stdout with <c>message</c> and, when it has
    /// one, <c>phase</c>; an error as <c>{"phase": "failed", "message": "Error during build: …"}</c> and exit code 1.
    /// The image it builds records the arguments (<c>standin.argv</c>) and whether git credentials came
    /// (<c>standin.git-credential</c>). A repository Dockerfile is built as is; otherwise <paramref name="baseImage"/>
    /// with the repository in the home folder.
    /// </summary>
    public static string Repo2Docker(string baseImage) => """
        #!/usr/bin/python3
        # Stand-in for jupyter-repo2docker (BinderOrleans tests): its command line and --json-logs contract, no buildpacks.
        import argparse, http.client, io, json, os, socket, subprocess, sys, tarfile, tempfile, urllib.parse

        def log(message, phase=None):
            entry = {"message": message if message.endswith("\n") else message + "\n"}
            if phase:
                entry["phase"] = phase
            print(json.dumps(entry), flush=True)

        def fail(message):
            log("Error during build: " + message, "failed")
            sys.exit(1)

        parser = argparse.ArgumentParser(prog="jupyter-repo2docker")
        parser.add_argument("--ref")
        parser.add_argument("--image-name", dest="image")
        parser.add_argument("--no-clean", action="store_true")
        parser.add_argument("--no-run", action="store_true")
        parser.add_argument("--json-logs", action="store_true")
        parser.add_argument("--user-name")
        parser.add_argument("--user-id")
        parser.add_argument("--appendix")
        parser.add_argument("--push", action="store_true")
        parser.add_argument("--label", action="append", default=[])
        parser.add_argument("repo")
        parser.add_argument("cmd", nargs=argparse.REMAINDER)
        args = parser.parse_args()
        if not (args.json_logs and args.no_run and args.ref and args.image):
            print("stand-in: expected --json-logs --no-run --ref --image", file=sys.stderr)
            sys.exit(2)

        log("Picked Git content provider.")
        checkout = tempfile.mkdtemp()
        clone = subprocess.Popen(["git", "clone", "--progress", "--no-checkout", args.repo, checkout],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in clone.stdout:
            log(line, "fetching")
        if clone.wait() != 0:
            fail("Failed to clone repository from %s" % args.repo)
        if subprocess.run(["git", "-C", checkout, "checkout", "-q", args.ref]).returncode != 0:
            fail("Failed to check out ref %s" % args.ref)
        subprocess.run(["rm", "-rf", os.path.join(checkout, ".git")], check=True)

        files = {}
        if os.path.exists(os.path.join(checkout, "Dockerfile")):
            log("Using DockerBuildPack builder", "building")
        else:
            log("Using PythonBuildPack builder", "building")
            files["Dockerfile"] = ("FROM %s\nCOPY --chown=%s:%s . /home/%s/\nUSER %s\nWORKDIR /home/%s\n"
                                   % ("@BASE@", args.user_id, args.user_id, args.user_name, args.user_name, args.user_name)).encode()
        labels = {"repo2docker.ref": args.ref, "repo2docker.repo": args.repo, "repo2docker.version": "stand-in",
                  "standin.argv": json.dumps(sys.argv[1:]),
                  "standin.git-credential": "set" if os.environ.get("GIT_CREDENTIAL_ENV") else "unset"}
        for label in args.label:
            key, _, value = label.partition("=")
            labels[key] = value

        context = io.BytesIO()
        with tarfile.open(fileobj=context, mode="w") as tar:
            tar.add(checkout, arcname=".")
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

        host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        if host.startswith("unix://"):
            class UnixConnection(http.client.HTTPConnection):
                def connect(self):
                    self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    self.sock.connect(host[len("unix://"):])
            engine = UnixConnection("localhost")
        else:
            engine = http.client.HTTPConnection(urllib.parse.urlparse(host).netloc)
        query = urllib.parse.urlencode({"t": args.image, "labels": json.dumps(labels), "networkmode": "host",
                                        "rm": "1", "forcerm": "1",
                                        "buildargs": json.dumps({"NB_USER": args.user_name, "NB_UID": args.user_id})})
        engine.request("POST", "/v1.41/build?" + query, body=context.getvalue(), headers={"Content-Type": "application/x-tar"})
        response = engine.getresponse()
        if response.status != 200:
            fail("the engine answered %d: %s" % (response.status, response.read().decode(errors="replace")))
        decoder, pending, error = json.JSONDecoder(), "", None
        while True:
            chunk = response.read1(65536)
            if not chunk:
                break
            pending += chunk.decode(errors="replace")
            while True:
                pending = pending.lstrip()
                try:
                    message, end = decoder.raw_decode(pending)
                except ValueError:
                    break
                pending = pending[end:]
                if "error" in message:
                    error = message["error"]
                elif message.get("stream"):
                    for line in message["stream"].splitlines():
                        log(line, "building")
        if error:
            fail(error)
        print("stand-in: built " + args.image, file=sys.stderr, flush=True)

        """.Replace("@BASE@", baseImage, StringComparison.Ordinal);

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
