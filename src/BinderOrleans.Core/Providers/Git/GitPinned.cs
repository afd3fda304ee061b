namespace BinderOrleans.Core.Providers.Git;

/// <summary>A git URL held to checked addresses (<see cref="GitPin"/>).</summary>
/// <param name="Url">What git gets: the canonical URL, or for git:// and ssh:// the same with the checked literal address.</param>
/// <param name="Config">The <c>-c key=value</c> arguments that go before git's command (empty when none are needed).</param>
internal sealed record GitPinned(string Url, IReadOnlyList<string> Config);
