namespace BinderOrleans.Core.Builds;

/// <summary>What a builder needs to turn one (repository, commit) into one image.</summary>
/// <param name="ImageName">Full image name with tag, as <see cref="Naming.ImageNaming"/> derives it.</param>
/// <param name="BuildName">The ≤ 63-char DNS-safe build name (Kubernetes pod name, container label).</param>
/// <param name="RepoUrl">What gets cloned (never passed to a command in option position).</param>
/// <param name="ResolvedRef">The commit (or record version) to check out.</param>
/// <param name="ProviderId">Provider prefix such as <c>gh</c> or <c>git</c>.</param>
/// <param name="GitCredentials">git credential-helper text, when the provider has credentials.</param>
/// <param name="ProviderName">Provider display name (metrics label), e.g. <c>GitHub</c>; defaults to the id.</param>
/// <param name="PullOnly">
/// <see cref="ImageName"/> is a pre-built image reference (the <c>image</c> provider): the builder pulls it and never
/// builds; a missing image fails with 404.
/// </param>
/// <param name="Owner">
/// The logged-in user whose own credentials this build uses (a private build, <see cref="Providers.RepoResolver"/>); its
/// repository is not named in metrics. Null for every shared build.
/// </param>
[GenerateSerializer, Immutable, Alias("binder.build-request")]
public sealed record BuildRequest(
    [property: Id(0)] string ImageName,
    [property: Id(1)] string BuildName,
    [property: Id(2)] string RepoUrl,
    [property: Id(3)] string ResolvedRef,
    [property: Id(4)] string ProviderId,
    [property: Id(5)] string? GitCredentials = null,
    [property: Id(6)] string? ProviderName = null,
    [property: Id(7)] bool PullOnly = false,
    [property: Id(8)] string? Owner = null)
{
    /// <summary>The <c>repo</c> label of a private build's metrics: the repository of one user is not published.</summary>
    public const string PrivateRepoLabel = "private";

    /// <summary>What metrics call the repository: its URL, or <see cref="PrivateRepoLabel"/>.</summary>
    public string MetricsRepo => Owner is null ? RepoUrl : PrivateRepoLabel;

    /// <summary>Everything but the credentials, which must never reach a log through this record's text.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"ImageName = {ImageName}, BuildName = {BuildName}, RepoUrl = {RepoUrl}, ResolvedRef = {ResolvedRef}, ProviderId = {ProviderId}, ");
        builder.Append($"GitCredentials = {(GitCredentials is null ? "null" : "***")}, ProviderName = {ProviderName}, PullOnly = {PullOnly}, Owner = {Owner}");
        return true;
    }
}
