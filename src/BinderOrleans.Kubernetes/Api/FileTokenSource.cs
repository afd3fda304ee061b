namespace BinderOrleans.Kubernetes.Api;

/// <summary>
/// A token file: the projected service account token, which the kubelet rewrites before it expires (1 h by default),
/// or a kubeconfig <c>tokenFile</c>. Re-read every <c>Kubernetes:TokenRefreshInterval</c> and after a 401.
/// </summary>
internal sealed class FileTokenSource : IKubeTokenSource
{
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshInterval;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _readAt;

    public FileTokenSource(string path, TimeProvider time, TimeSpan refreshInterval)
    {
        _path = path;
        _time = time;
        _refreshInterval = refreshInterval;
    }

    public string Path => _path;

    public bool CanRefresh => true;

    public async ValueTask<string> GetTokenAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (!refresh && _token is { } cached && _time.GetUtcNow() - _readAt < _refreshInterval) return cached;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!refresh && _token is { } again && _time.GetUtcNow() - _readAt < _refreshInterval) return again;
            try
            {
                _token = (await File.ReadAllTextAsync(_path, cancellationToken).ConfigureAwait(false)).Trim();
                _readAt = _time.GetUtcNow();
            }
            catch (IOException) when (_token is not null)
            {
                // The kubelet replaces the file atomically, but a read can still race it; the old token is better than none.
            }
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }
}
