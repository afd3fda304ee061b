namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// Where generated images download language environments from, section <c>Buildpacks</c>. The defaults are the
/// public sources repo2docker uses; an offline site points each at its own mirror. <c>{version}</c> and
/// <c>{minor}</c> in a URL are replaced by the version being installed (<c>4.4.2</c> / <c>4.4</c>).
/// </summary>
public sealed class BuildpackOptions
{
    public const string Section = "Buildpacks";

    public const string DefaultMicromambaUrl = "https://anaconda.org/conda-forge/micromamba/2.8.1/download/linux-64/micromamba-2.8.1-0.tar.bz2";
    public const string DefaultCondaChannelAlias = "https://conda.anaconda.org";
    public const string DefaultCondaChannel = "conda-forge";
    public const string DefaultRDownloadUrl = "https://cdn.posit.co/r/debian-12/pkgs/r-{version}_1_amd64.deb";
    public const string DefaultRPackageManagerUrl = "https://packagemanager.posit.co/cran";
    public const string DefaultRStudioUrl = "https://download2.rstudio.org/server/jammy/amd64/rstudio-server-2026.07.1-147-amd64.deb";
    public const string DefaultRStudioSha256 = "118e3fce4cf58ad3bfff1dc6eea3e07f294d51d28fefcc5e1cc559292c0dd06c";
    public const string DefaultShinyServerUrl = "https://download3.rstudio.org/ubuntu-20.04/x86_64/shiny-server-1.5.23.1030-amd64.deb";
    public const string DefaultShinyServerSha256 = "4a3d063a06ccd1b6c53eb1d7f4fb59965bced10d1c5c87e8c476b58dd6fd35ee";

    /// <summary>What serves RStudio at <c>/rstudio</c> and Shiny at <c>/shiny</c> inside the notebook server (repo2docker's pins), from pip's index.</summary>
    public const string RProxyPackages = "jupyter-rsession-proxy==2.3.0 jupyter-shiny-proxy==1.4";
    public const string DefaultJuliaVersionsUrl = "https://julialang-s3.julialang.org/bin/versions.json";
    public const string DefaultJuliaDownloadUrl = "https://julialang-s3.julialang.org/bin/linux/x64/{minor}/julia-{version}-linux-x86_64.tar.gz";
    public const string DefaultNixInstallerUrl = "https://releases.nixos.org/nix/nix-2.13.2/install";
    public const string DefaultNixChannelUrl = "https://nixos.org/channels/nixpkgs-unstable";

    /// <summary><c>Buildpacks:MicromambaUrl</c>: micromamba's conda package (<c>.tar.bz2</c> holding <c>bin/micromamba</c>). Default: micromamba 2.8.1 from anaconda.org.</summary>
    public string MicromambaUrl { get; set; } = DefaultMicromambaUrl;

    /// <summary><c>Buildpacks:CondaChannelAlias</c>: conda's <c>channel_alias</c>, the server channels are named under. Default <c>https://conda.anaconda.org</c>.</summary>
    public string CondaChannelAlias { get; set; } = DefaultCondaChannelAlias;

    /// <summary><c>Buildpacks:CondaChannel</c>: the one channel environments are solved from. Default <c>conda-forge</c>.</summary>
    public string CondaChannel { get; set; } = DefaultCondaChannel;

    /// <summary><c>Buildpacks:PipIndexUrl</c>: <c>PIP_INDEX_URL</c> for every pip and pipenv step. Default empty: pip's own (PyPI).</summary>
    public string PipIndexUrl { get; set; } = "";

    /// <summary><c>Buildpacks:RDownloadUrl</c>: Posit's R build for Debian 12 (<c>{version}</c> = X.Y.Z), used when Debian's r-base is another release. Default Posit's CDN.</summary>
    public string RDownloadUrl { get; set; } = DefaultRDownloadUrl;

    /// <summary><c>Buildpacks:RPackageManagerUrl</c>: CRAN snapshots (<c>{url}/__linux__/{codename}/{date}</c>). Default Posit Package Manager.</summary>
    public string RPackageManagerUrl { get; set; } = DefaultRPackageManagerUrl;

    /// <summary><c>Buildpacks:RStudioUrl</c>: the RStudio Server <c>.deb</c> every R image gets (repo2docker's build for OpenSSL 3). Default Posit's download.</summary>
    public string RStudioUrl { get; set; } = DefaultRStudioUrl;

    /// <summary><c>Buildpacks:RStudioSha256</c>: the SHA-256 the download must have; empty: not checked. Default: that of <see cref="DefaultRStudioUrl"/>.</summary>
    public string RStudioSha256 { get; set; } = DefaultRStudioSha256;

    /// <summary><c>Buildpacks:ShinyServerUrl</c>: the Shiny Server <c>.deb</c> every R image gets. Default Posit's download of 1.5.23.</summary>
    public string ShinyServerUrl { get; set; } = DefaultShinyServerUrl;

    /// <summary><c>Buildpacks:ShinyServerSha256</c>: the SHA-256 the download must have; empty: not checked. Default: that of <see cref="DefaultShinyServerUrl"/>.</summary>
    public string ShinyServerSha256 { get; set; } = DefaultShinyServerSha256;

    /// <summary><c>Buildpacks:JuliaVersionsUrl</c>: Julia's <c>versions.json</c>, read when a build picks a Julia release. Default julialang-s3.</summary>
    public string JuliaVersionsUrl { get; set; } = DefaultJuliaVersionsUrl;

    /// <summary><c>Buildpacks:JuliaDownloadUrl</c>: the Julia tarball (<c>{version}</c>, <c>{minor}</c>). Default julialang-s3.</summary>
    public string JuliaDownloadUrl { get; set; } = DefaultJuliaDownloadUrl;

    /// <summary><c>Buildpacks:NixInstallerUrl</c>: Nix's single-user install script. Default Nix 2.13.2 from releases.nixos.org.</summary>
    public string NixInstallerUrl { get; set; } = DefaultNixInstallerUrl;

    /// <summary><c>Buildpacks:NixChannelUrl</c>: the nixpkgs channel <c>default.nix</c> is evaluated against. Default nixpkgs-unstable.</summary>
    public string NixChannelUrl { get; set; } = DefaultNixChannelUrl;

    /// <summary>A URL with <c>{version}</c> and <c>{minor}</c> filled in.</summary>
    public static string Expand(string template, string version) =>
        template.Replace("{version}", version, StringComparison.Ordinal)
            .Replace("{minor}", string.Join('.', version.Split('.').Take(2)), StringComparison.Ordinal);
}
