using BinderOrleans.Core.Providers;

namespace BinderOrleans.Testing.Fakes;

/// <summary>
/// The test <see cref="IRepoProvider"/>, resolving without a network: <see cref="Result"/> when set, else
/// <see cref="Resolve"/>, else <c>https://example.invalid/{spec}</c> at <see cref="Commit"/>. <see cref="Check"/>
/// answers <c>CheckSpec</c> (nothing by default). Counts resolves.
/// </summary>
public sealed class FakeRepoProvider(string id = "fake", string name = "Fake") : IRepoProvider
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private int _calls;

    public string Id => id;

    public string Name => name;

    public ProviderDisplayConfig DisplayConfig { get; init; } = Display(id, name, "[^/]+/.+");

    public ResolveResult? Result { get; set; }

    public Func<string, ResolveResult>? Resolve { get; set; }

    public Func<string, ResolveResult.Failed?> Check { get; set; } = _ => null;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>A display config with a <c>repo</c> field and a ref defaulting to HEAD.</summary>
    public static ProviderDisplayConfig Display(string id, string displayName, string specPattern) => new()
    {
        DisplayName = displayName, Id = id, Spec = new(specPattern),
        Repo = new("repo", "owner/repo", false), Ref = new(true, "HEAD"),
    };

    public ResolveResult.Failed? CheckSpec(string spec) => Check(spec);

    public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(Result ?? Resolve?.Invoke(spec) ?? new ResolveResult.Resolved(new ResolvedRepo(
            $"https://example.invalid/{spec}", Commit, $"https://example.invalid/{spec}/tree", $"{spec}/{Commit}", spec, "HEAD")));
    }
}
