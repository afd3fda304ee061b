using System.Net.Http.Headers;
using System.Text;

namespace BinderOrleans.Registry;

/// <summary>
/// A registry's <c>WWW-Authenticate: Bearer realm="…",service="…",scope="…"</c> challenge: where to get a token and for what.
/// BinderHub follows it only when realm, service and scope are all present; so does this.
/// </summary>
internal sealed record BearerChallenge(Uri Realm, string Service, string Scope)
{
    /// <summary>The first usable Bearer challenge among the response's <c>WWW-Authenticate</c> headers, or null.</summary>
    public static BearerChallenge? From(HttpHeaderValueCollection<AuthenticationHeaderValue> headers)
    {
        foreach (var header in headers)
        {
            if (!header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) continue;
            if (TryParse(header.Parameter, out var challenge)) return challenge;
        }
        return null;
    }

    /// <summary>Parses the parameter part (after <c>Bearer </c>): comma-separated <c>key=value</c>, values quoted or bare.</summary>
    public static bool TryParse(string? parameter, out BearerChallenge? challenge)
    {
        challenge = null;
        if (string.IsNullOrWhiteSpace(parameter)) return false;
        var values = ParseParameters(parameter);
        if (!values.TryGetValue("realm", out var realm) || !values.TryGetValue("service", out var service)
            || !values.TryGetValue("scope", out var scope)) return false;
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || realmUri.Scheme is not ("http" or "https")) return false;
        challenge = new BearerChallenge(realmUri, service, scope);
        return true;
    }

    internal static Dictionary<string, string> ParseParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i]))) i++;
            var keyStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',') i++;
            var key = text[keyStart..i].Trim();
            if (i >= text.Length || text[i] != '=') continue;
            i++;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    sb.Append(text[i++]);
                }
                i++; // closing quote
                value = sb.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && text[i] != ',') i++;
                value = text[valueStart..i].Trim();
            }
            if (key.Length > 0) result.TryAdd(key, value);
        }
        return result;
    }
}
