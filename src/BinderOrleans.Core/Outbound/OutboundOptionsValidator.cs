using System.Net;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Outbound;

/// <summary>Start-up check of <c>Security:AllowedTargetNetworks</c> and <c>Security:BlockedTargetNetworks</c>.</summary>
internal sealed class OutboundOptionsValidator : IValidateOptions<OutboundOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboundOptions options)
    {
        var errors = new List<string>();
        Check(options.AllowedTargetNetworks, "AllowedTargetNetworks", errors);
        Check(options.BlockedTargetNetworks, "BlockedTargetNetworks", errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string>? networks, string key, List<string> errors)
    {
        for (var i = 0; i < (networks?.Count ?? 0); i++)
        {
            if (!IPNetwork.TryParse(networks![i]?.Trim() ?? "", out _))
            {
                errors.Add($"{OutboundOptions.Section}:{key}:{i} '{networks[i]}' is not a network in CIDR form, such as 10.20.0.0/16 or fd00::/8.");
            }
        }
    }
}
