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
    /// over the base image's Python, so the image still runs a notebook server. <c>env update --file</c> does what the
    /// real one does with the file's <c>pip:</c> section: the environment's pip installs it (no conda packages here);
    /// <c>install --file</c> only records, as the real one leaves that section alone.
    /// </summary>
    public static byte[] Micromamba() => Tar(null, ("bin/micromamba", """
        #!/bin/bash
        # Stand-in for micromamba (BinderOrleans tests): records the call, makes the prefix's layout.
        set -e
        echo "micromamba $* [user=$(id -un)]" >> /srv/conda/stand-in.log
        command="$1 $2"
        prefix=""
        file=""
        while [ $# -gt 0 ]; do
            if [ "$1" = --prefix ]; then prefix="$2"; fi
            if [ "$1" = --file ]; then file="$2"; fi
            shift
        done
        if [ "${command%% *}" = create ]; then
            /usr/bin/python3 -m venv --system-site-packages "$prefix"
            mkdir -p "$prefix/conda-meta"
        fi
        if [ "$command" = "env update" ]; then
            pip_requirements="$(mktemp)"
            /usr/bin/python3 - "$file" > "$pip_requirements" <<'PY'
        import sys
        frame = None
        for line in open(sys.argv[1]):
            text = line.strip()
            indent = len(line) - len(line.lstrip())
            if frame is not None and text.startswith("- ") and indent > frame:
                print(text[2:].strip())
                continue
            if text:
                frame = indent if text == "- pip:" else None
        PY
            if [ -s "$pip_requirements" ]; then "$prefix/bin/python" -m pip install -U -r "$pip_requirements"; fi
            rm -f "$pip_requirements"
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
    public static byte[] Wheel(string name, string version, string value) =>
        Wheel(name, version, [($"{name}/__init__.py", $"VALUE = \"{value}\"\n")]);

    /// <summary>The wheel's file name (<c>{name}-{version}-py3-none-any.whl</c>, dashes of the project name as underscores).</summary>
    public static string WheelFileName(string project, string version) => $"{project.Replace('-', '_')}-{version}-py3-none-any.whl";

    /// <summary>
    /// A pure-Python wheel of project <paramref name="project"/> with <paramref name="contents"/> (paths under
    /// <c>{dist}.data/data/</c> land in the environment's prefix), its dependencies and entry points.
    /// </summary>
    public static byte[] Wheel(string project, string version, IEnumerable<(string Path, string Text)> contents, IEnumerable<string>? requires = null, string? entryPoints = null)
    {
        var dist = project.Replace('-', '_');
        var distInfo = $"{dist}-{version}.dist-info";
        var metadata = new StringBuilder($"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n");
        foreach (var requirement in requires ?? []) metadata.Append("Requires-Dist: ").Append(requirement).Append('\n');
        var files = new List<(string Path, string Text)>(contents.Select(c => (c.Path.Replace("{data}", $"{dist}-{version}.data/data", StringComparison.Ordinal), c.Text)))
        {
            ($"{distInfo}/METADATA", metadata.ToString()),
            ($"{distInfo}/WHEEL", "Wheel-Version: 1.0\nGenerator: binderorleans-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        };
        if (entryPoints is not null) files.Add(($"{distInfo}/entry_points.txt", entryPoints));
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

    /// <summary>
    /// RStudio Server's package: <c>/usr/lib/rstudio-server/bin/rserver</c>, which answers every GET on its
    /// <c>--www-port</c> with the user it runs as and its arguments.
    /// </summary>
    public static byte[] RStudioServerDeb() => Deb("rstudio-server", "2026.07.1-147", [("usr/lib/rstudio-server/bin/rserver", """
        #!/usr/bin/python3
        # Stand-in for RStudio Server's rserver (BinderOrleans tests).
        import getpass, http.server, sys
        port = int(next(a for a in sys.argv if a.startswith("--www-port=")).split("=", 1)[1])
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = ("rstudio stand-in as %s: %s\n" % (getpass.getuser(), " ".join(sys.argv[1:]))).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()

        """)], []);

    /// <summary>Shiny Server's package: <c>/opt/shiny-server/bin/shiny-server</c> (linked from <c>/usr/bin</c>), serving on its configuration's <c>listen</c> port.</summary>
    public static byte[] ShinyServerDeb() => Deb("shiny-server", "1.5.23.1030", [("opt/shiny-server/bin/shiny-server", """
        #!/usr/bin/python3
        # Stand-in for Shiny Server (BinderOrleans tests): reads the configuration file it is given.
        import http.server, re, sys
        conf = open(sys.argv[1]).read()
        port = int(re.search(r"listen (\d+);", conf).group(1))
        site = re.search(r"site_dir (\S+);", conf).group(1)
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = ("shiny stand-in: site_dir=%s\n" % site).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()

        """)], [("usr/bin/shiny-server", "/opt/shiny-server/bin/shiny-server")]);

    /// <summary>
    /// jupyter-server-proxy as a notebook server extension (enabled by the configuration file its wheel installs):
    /// each <c>jupyter_serverproxy_servers</c> entry point is served at <c>&lt;base_url&gt;&lt;name&gt;/</c>, its command
    /// started on a free port at the first request, GETs relayed; <c>&lt;name&gt;</c> alone redirects there.
    /// </summary>
    public static (string Project, string FileName, byte[] Wheel) JupyterServerProxyWheel() => ("jupyter-server-proxy", WheelFileName("jupyter-server-proxy", "4.4.0"),
        Wheel("jupyter-server-proxy", "4.4.0",
        [
            ("{data}/etc/jupyter/jupyter_notebook_config.d/jupyter_server_proxy.json", """{"NotebookApp": {"nbserver_extensions": {"jupyter_server_proxy": true}}}"""),
            ("jupyter_server_proxy/__init__.py", """
                # Stand-in for jupyter-server-proxy (BinderOrleans tests).
                import asyncio, socket, subprocess
                from importlib.metadata import entry_points
                from notebook.base.handlers import IPythonHandler
                from notebook.utils import url_path_join
                from tornado import httpclient, web


                def _handlers(spec):
                    state = {}

                    class Redirect(IPythonHandler):
                        @web.authenticated
                        def get(self):
                            self.redirect(self.request.path + "/" + ("?" + self.request.query if self.request.query else ""))

                    class Proxy(IPythonHandler):
                        @web.authenticated
                        async def get(self, path):
                            if "port" not in state:
                                with socket.socket() as s:
                                    s.bind(("127.0.0.1", 0))
                                    state["port"] = s.getsockname()[1]
                                command = spec["command"]
                                command = command(port=state["port"]) if callable(command) else [c.format(port=state["port"]) for c in command]
                                state["process"] = subprocess.Popen(command)
                            response = None
                            for _ in range(100):
                                try:
                                    response = await httpclient.AsyncHTTPClient().fetch("http://127.0.0.1:%d/%s" % (state["port"], path), raise_error=False)
                                    break
                                except OSError:
                                    await asyncio.sleep(0.1)
                            if response is None:
                                raise web.HTTPError(502)
                            self.set_status(response.code)
                            self.finish(response.body)

                    return Redirect, Proxy


                def load_jupyter_server_extension(nbapp):
                    base = nbapp.web_app.settings["base_url"]
                    handlers = []
                    for entry in entry_points(group="jupyter_serverproxy_servers"):
                        redirect, proxy = _handlers(entry.load()())
                        handlers.append((url_path_join(base, entry.name), redirect))
                        handlers.append((url_path_join(base, entry.name) + "/(.*)", proxy))
                    nbapp.web_app.add_handlers(".*$", handlers)

                """),
        ]));

    /// <summary>jupyter-rsession-proxy 2.3.0: the <c>rstudio</c> server, RStudio's rserver as the real one runs it.</summary>
    public static (string Project, string FileName, byte[] Wheel) RSessionProxyWheel() => ("jupyter-rsession-proxy", WheelFileName("jupyter-rsession-proxy", "2.3.0"),
        Wheel("jupyter-rsession-proxy", "2.3.0",
        [
            ("jupyter_rsession_proxy/__init__.py", """
                # Stand-in for jupyter-rsession-proxy (BinderOrleans tests).
                import getpass, shutil


                def setup_rserver():
                    executable = shutil.which("rserver") or "/usr/lib/rstudio-server/bin/rserver"
                    return {"command": [executable, "--auth-none=1", "--www-frame-origin=same", "--www-port={port}", "--server-user=" + getpass.getuser()]}

                """),
        ], ["jupyter-server-proxy>=4"], "[jupyter_serverproxy_servers]\nrstudio = jupyter_rsession_proxy:setup_rserver\n"));

    /// <summary>jupyter-shiny-proxy 1.4: the <c>shiny</c> server, Shiny Server with a configuration for the working directory.</summary>
    public static (string Project, string FileName, byte[] Wheel) ShinyProxyWheel() => ("jupyter-shiny-proxy", WheelFileName("jupyter-shiny-proxy", "1.4"),
        Wheel("jupyter-shiny-proxy", "1.4",
        [
            ("jupyter_shiny_proxy/__init__.py", """
                # Stand-in for jupyter-shiny-proxy (BinderOrleans tests).
                import getpass, os, tempfile


                def setup_shiny():
                    def command(port):
                        site = os.getcwd()
                        conf = "run_as %s;\nserver {\n  listen %d;\n  location / {\n    site_dir %s;\n    log_dir %s/logs;\n  }\n}\n" % (getpass.getuser(), port, site, site)
                        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
                            f.write(conf)
                        return ["shiny-server", f.name]
                    return {"command": command}

                """),
        ], ["jupyter-server-proxy>=4"], "[jupyter_serverproxy_servers]\nshiny = jupyter_shiny_proxy:setup_shiny\n"));

    /// <summary>A Debian package (ar of <c>debian-binary</c>, <c>control.tar.gz</c>, <c>data.tar.gz</c>) of executables and symlinks.</summary>
    private static byte[] Deb(string package, string version, (string Path, string Text)[] executables, (string Link, string Target)[] links)
    {
        var control = TarGz([("./control", $"Package: {package}\nVersion: {version}\nArchitecture: all\nMaintainer: BinderOrleans tests <tests@binderorleans.invalid>\nDescription: stand-in for {package}\n", false)], []);
        var data = TarGz(executables.Select(e => ("./" + e.Path, e.Text, true)).ToArray(), links.Select(l => ("./" + l.Link, l.Target)).ToArray());
        using var deb = new MemoryStream();
        deb.Write(Encoding.ASCII.GetBytes("!<arch>\n"));
        foreach (var (name, bytes) in new[] { ("debian-binary", Encoding.ASCII.GetBytes("2.0\n")), ("control.tar.gz", control), ("data.tar.gz", data) })
        {
            deb.Write(Encoding.ASCII.GetBytes($"{name,-16}{"0",-12}{"0",-6}{"0",-6}{"100644",-8}{bytes.Length,-10}`\n"));
            deb.Write(bytes);
            if (bytes.Length % 2 == 1) deb.WriteByte((byte)'\n');
        }
        return deb.ToArray();
    }

    /// <summary>A gzip tar with an entry for every parent directory, as dpkg expects.</summary>
    private static byte[] TarGz((string Path, string Text, bool Executable)[] files, (string Link, string Target)[] links)
    {
        const UnixFileMode Read = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true))
        {
            var directories = new SortedSet<string>(StringComparer.Ordinal) { "./" };
            foreach (var path in files.Select(f => f.Path).Concat(links.Select(l => l.Link)))
            {
                for (var i = path.IndexOf('/', 2); i > 0; i = path.IndexOf('/', i + 1)) directories.Add(path[..(i + 1)]);
            }
            foreach (var directory in directories) tar.WriteEntry(new GnuTarEntry(TarEntryType.Directory, directory) { Mode = Read | Execute | UnixFileMode.UserExecute });
            foreach (var (path, text, executable) in files)
            {
                tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, path)
                {
                    Mode = executable ? Read | Execute : Read,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text.Replace("\r", "", StringComparison.Ordinal))),
                });
            }
            foreach (var (link, target) in links) tar.WriteEntry(new GnuTarEntry(TarEntryType.SymbolicLink, link) { LinkName = target, Mode = Read | Execute });
        }
        return buffer.ToArray();
    }

    /// <summary>A source distribution (<c>{name}-{version}.tar.gz</c>) whose only file is this <c>pyproject.toml</c>.</summary>
    public static byte[] Sdist(string name, string version, string pyproject) =>
        Tar(CompressionLevel.Fastest, ($"{name}-{version}/pyproject.toml", pyproject));

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
