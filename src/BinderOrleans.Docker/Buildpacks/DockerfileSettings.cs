namespace BinderOrleans.Docker.Buildpacks;

/// <summary>What a generated Dockerfile needs besides the plan.</summary>
/// <param name="BaseImage">FROM image (<c>Build:BaseImage</c>); it must provide python3 with the notebook server.</param>
/// <param name="RepoLabels">repo2docker's labels (<c>repo2docker.repo</c>, <c>repo2docker.ref</c>), written after the install steps.</param>
/// <param name="OperatorLabels">Labels from <c>Docker:Labels</c>, written right after FROM so every layer carries them.</param>
/// <param name="Downloads">Where language environments come from (section <c>Buildpacks</c>); null: the public defaults.</param>
internal sealed record DockerfileSettings(
    string BaseImage,
    IReadOnlyDictionary<string, string> RepoLabels,
    IReadOnlyDictionary<string, string> OperatorLabels,
    BuildpackOptions? Downloads = null)
{
    public BuildpackOptions Sources { get; } = Downloads ?? new BuildpackOptions();

    public const string UserName = "jovyan";
    public const int UserId = 1000;
}
