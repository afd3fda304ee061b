using System.Net.Http.Headers;
using k8s.Authentication;

namespace BinderOrleans.Kubernetes.Client;

/// <summary>
/// The projected service account token file, which the kubelet rewrites before it expires. Re-read every
/// <c>Kubernetes:TokenRefreshInterval</c>, and at once after a 401 (<see cref="TokenRefreshHandler"/>).
/// KubernetesClient's own <c>TokenFileAuth</c> re-reads only on a fixed minute and never after a 401.
/// </summary>
internal sealed class FileTokenProvider(string path, TimeProvider time, TimeSpan refreshInterval) : ITokenProvider
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _readAt;
    private bool _stale;

    /// <summary>The next request re-reads the file (the server refused the token in hand).</summary>
    public void Invalidate() => _stale = true;

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached) return new AuthenticationHeaderValue("Bearer", cached);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } again) return new AuthenticationHeaderValue("Bearer", again);
            try
            {
                _token = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
                _readAt = time.GetUtcNow();
                _stale = false;
            }
            catch (IOException) when (_token is not null)
            {
                // The kubelet replaces the file atomically, but a read can still race it; the old token is better than none.
            }
            return new AuthenticationHeaderValue("Bearer", _token);
        }
        finally
        {
            _gate.Release();
        }
    }

    private string? Fresh() => !_stale && _token is { } token && time.GetUtcNow() - _readAt < refreshInterval ? token : null;
}
