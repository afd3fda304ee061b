using System.Net;

namespace BinderOrleans.Kubernetes.Client;

/// <summary>
/// On a 401, re-reads the token file once and sends the request again: a rotated projected token must not fail a
/// build while the old copy is cached.
/// </summary>
internal sealed class TokenRefreshHandler(FileTokenProvider token, Action onRejected) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        response.Dispose();
        onRejected();
        token.Invalidate();
        request.Headers.Authorization = await token.GetAuthenticationHeaderAsync(cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
