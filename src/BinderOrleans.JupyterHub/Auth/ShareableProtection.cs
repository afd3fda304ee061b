using Microsoft.AspNetCore.DataProtection;

namespace BinderOrleans.JupyterHub.Auth;

/// <summary>An <see cref="IDataProtectionProvider"/> over <see cref="SharedSecretProtector"/>.</summary>
internal sealed class ShareableProtection(string secret) : IDataProtectionProvider
{
    public IDataProtector CreateProtector(string purpose) => new SharedSecretProtector(secret, purpose);
}
