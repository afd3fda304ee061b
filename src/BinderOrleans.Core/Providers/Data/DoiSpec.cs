using System.Text.RegularExpressions;

namespace BinderOrleans.Core.Providers.Data;

/// <summary>The spec of the DOI providers (zenodo, figshare, dataverse): a bare DOI, BinderHub's <c>10\.\d+\/(.)+</c>.</summary>
internal static partial class DoiSpec
{
    /// <summary>BinderHub's <c>display_config.spec.validateRegex</c> for the DOI providers.</summary>
    public const string ValidateRegex = @"10\.\d+\/(.)+";

    public static ResolveResult.Failed? Check(string spec) => Doi().IsMatch(spec) && !spec.Any(char.IsControl)
        ? null
        : new ResolveResult.Failed($"Spec is not a DOI of the form \"10.<registrant>/<suffix>\", provided: \"{spec}\".", 400);

    [GeneratedRegex(@"^10\.\d+/\S+$")]
    private static partial Regex Doi();
}
