using System.Text.Json;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>
/// The <c>jupyterhub_config.py</c> of a test hub: loopback ports, a <c>binder</c> service with BinderHub's scopes, users
/// created through the API (NullAuthenticator), named servers, and a small spawner that runs <c>user_options.image</c>
/// with docker as BinderHub's spawner mixin would (token and base URL as notebook arguments). Test fixture, not product code.
/// </summary>
internal static class HubConfig
{
    public static string Render(HubPorts ports, string directory, string apiToken, string proxyCommand, string containerLabel) =>
        Template
            .Replace("@PUBLIC_PORT@", ports.Public.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@HUB_PORT@", ports.Hub.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@PROXY_API_PORT@", ports.ProxyApi.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@DIR@", Py(directory), StringComparison.Ordinal)
            .Replace("@TOKEN@", Py(apiToken), StringComparison.Ordinal)
            .Replace("@PROXY_COMMAND@", Py(proxyCommand), StringComparison.Ordinal)
            .Replace("@LABEL@", Py(containerLabel), StringComparison.Ordinal);

    /// <summary>A Python string literal (JSON string syntax is valid Python for these values).</summary>
    private static string Py(string value) => JsonSerializer.Serialize(value);

    private const string Template = """
        import asyncio
        import os
        import socket

        from jupyterhub.spawner import Spawner
        from traitlets import Unicode

        DIR = @DIR@
        LABEL = @LABEL@


        class DockerRunSpawner(Spawner):
            # Runs user_options.image with `docker run --network host`, the notebook on a free loopback port.
            container_id = Unicode(None, allow_none=True)

            async def _docker(self, *args):
                proc = await asyncio.create_subprocess_exec(
                    'docker', *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                out, err = await proc.communicate()
                return proc.returncode, out.decode().strip(), err.decode().strip()

            async def start(self):
                options = self.user_options or {}
                image, token = options.get('image'), options.get('token')
                if not image or not token:
                    raise ValueError('user_options must carry image and token')
                with socket.socket() as s:
                    s.bind(('127.0.0.1', 0))
                    port = s.getsockname()[1]
                base_url = self.server.base_url
                args = ['--no-browser', '--ip=127.0.0.1', f'--port={port}',
                        f'--NotebookApp.base_url={base_url}', f'--NotebookApp.token={token}',
                        '--NotebookApp.trust_xheaders=True']
                args += [a.replace('--NotebookApp.', '--ServerApp.', 1) for a in args if a.startswith('--NotebookApp.')]
                env = []
                for key in ('repo_url', 'binder_ref_url', 'binder_launch_host', 'binder_persistent_request',
                            'binder_request', 'binder_client_ip'):
                    name = 'BINDER_' + key.replace('binder_', '').upper()
                    env += ['-e', f"{name}={options.get(key, '')}"]
                # Built images name their user; the bare base image runs as root, where the notebook will not start.
                code, user, _ = await self._docker('image', 'inspect', '-f', '{{.Config.User}}', '--', image)
                as_user = ['--user', '1000:1000', '-w', '/home/jovyan', '-e', 'HOME=/home/jovyan'] if code == 0 and not user else []
                code, out, err = await self._docker(
                    'run', '-d', '--pull', 'never', '--network', 'host', *as_user, *env,
                    '--label', LABEL, '--label', f'binderorleans.test.hubuser={self.user.name}',
                    '--', image, 'python3', '-m', 'notebook', *args)
                if out:
                    self.container_id = out.splitlines()[-1]
                if code != 0:
                    raise RuntimeError(f'docker run failed: {err}')
                # Fail fast with the container's own words when its command exits.
                for _ in range(300):
                    code, running, _ = await self._docker('inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', self.container_id)
                    if code == 0 and running.startswith('false'):
                        _, logs, errs = await self._docker('logs', '--tail', '20', self.container_id)
                        raise RuntimeError(f'container exited with status {running.split()[-1]}: {(logs + errs).strip()}')
                    with socket.socket() as s:
                        if s.connect_ex(('127.0.0.1', port)) == 0:
                            break
                    await asyncio.sleep(0.1)
                return ('127.0.0.1', port)

            async def poll(self):
                if not self.container_id:
                    return 0
                code, running, _ = await self._docker('inspect', '-f', '{{.State.Running}}', self.container_id)
                return None if code == 0 and running == 'true' else 1

            async def stop(self, now=False):
                if self.container_id:
                    await self._docker('rm', '-f', self.container_id)
                    self.container_id = None

            def get_state(self):
                state = super().get_state()
                if self.container_id:
                    state['container_id'] = self.container_id
                return state

            def load_state(self, state):
                super().load_state(state)
                self.container_id = state.get('container_id')

            def clear_state(self):
                super().clear_state()
                self.container_id = None


        c.JupyterHub.spawner_class = DockerRunSpawner
        c.JupyterHub.authenticator_class = 'jupyterhub.auth.NullAuthenticator'
        c.JupyterHub.ip = '127.0.0.1'
        c.JupyterHub.port = @PUBLIC_PORT@
        c.JupyterHub.hub_ip = '127.0.0.1'
        c.JupyterHub.hub_port = @HUB_PORT@
        c.JupyterHub.db_url = 'sqlite:///' + os.path.join(DIR, 'jupyterhub.sqlite')
        c.JupyterHub.cookie_secret_file = os.path.join(DIR, 'jupyterhub_cookie_secret')
        c.JupyterHub.pid_file = os.path.join(DIR, 'jupyterhub.pid')
        c.JupyterHub.allow_named_servers = True
        c.JupyterHub.cleanup_servers = True
        c.ConfigurableHTTPProxy.command = [@PROXY_COMMAND@]
        c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:@PROXY_API_PORT@'
        c.ConfigurableHTTPProxy.pid_file = os.path.join(DIR, 'proxy.pid')
        c.JupyterHub.services = [{'name': 'binder', 'api_token': @TOKEN@}]
        c.JupyterHub.load_roles = [{'name': 'binder', 'services': ['binder'], 'scopes': ['servers', 'admin:users']}]
        c.Spawner.http_timeout = 30
        c.Spawner.start_timeout = 60
        """;
}
