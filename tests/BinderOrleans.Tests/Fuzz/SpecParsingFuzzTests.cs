using System.Diagnostics;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using BinderOrleans.Tests.Providers;
using Xunit.Abstractions;

namespace BinderOrleans.Tests.Fuzz;

/// <summary>
/// Issue 11: generated specs through every provider's syntactic check, and the git provider's resolution behind the
/// recording runner. Every answer is well-formed or a 4xx refusal, and no git command line carries user text in option
/// position or a host the spec did not name.
/// </summary>
public sealed class SpecParsingFuzzTests(ITestOutputHelper output)
{
    public const int Seed = 20261201;
    private const int Specs = 100_000;
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private static readonly string[] ProviderIds = ["gh", "gist", "gl", "git"];
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GeneratedSpecs_AreRefusedWith4xxOrParsed_AndGitNeverGetsAnUnnamedHostOrAnOption()
    {
        using var providers = new RecordedProviders();
        providers.Git.Answer = i => new GitCommandResult(0, i.Arguments[3] == "HEAD" ? $"{Sha}\tHEAD\n" : "", "", TimedOut: false);
        var schemes = new GitProviderOptions().EffectiveAllowedSchemes;
        var generator = new SpecGenerator(Seed);
        var accepted = ProviderIds.ToDictionary(id => id, _ => 0);
        var refusals = new SortedDictionary<int, int>();
        var (gitRuns, resolved, insideRefused) = (0, 0, 0);
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;

        for (var n = 0; n < Specs; n++)
        {
            var spec = generator.Next();
            foreach (var id in ProviderIds)
            {
                var provider = providers[id];
                ResolveResult.Failed? refusal;
                try
                {
                    refusal = provider.CheckSpec(spec);
                }
                catch (Exception ex)
                {
                    throw new Xunit.Sdk.XunitException($"{id}.CheckSpec threw on spec #{n} {Show(spec)}: {ex}");
                }
                if (refusal is not null)
                {
                    Assert.True(refusal.StatusCode is >= 400 and < 500, $"{id}: {Show(spec)} → {refusal.StatusCode} {refusal.Message}");
                    refusals[refusal.StatusCode] = refusals.GetValueOrDefault(refusal.StatusCode) + 1;
                    continue;
                }
                accepted[id]++;
                if (id != "git") continue;

                var result = await provider.ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout);
                if (result is ResolveResult.Resolved) resolved++;
                else if (Assert.IsType<ResolveResult.Failed>(result) is { StatusCode: 403 } refused)
                {
                    // The outbound guard: the inside address, however written, and before any git runs.
                    Assert.Contains("Security:AllowedTargetNetworks", refused.Message);
                    Assert.Empty(providers.Git.Invocations);
                    insideRefused++;
                }
                else Assert.True(((ResolveResult.Failed)result).StatusCode == 404, $"{Show(spec)} → {((ResolveResult.Failed)result).StatusCode} {((ResolveResult.Failed)result).Message}");
                foreach (var invocation in providers.Git.Invocations)
                {
                    gitRuns++;
                    AssertSafe(invocation, spec, schemes);
                }
                providers.Git.Clear();
            }
        }

        Assert.True(refusals.GetValueOrDefault(400) > 0 && accepted.Values.All(a => a > 0), "the generator must reach both outcomes for every provider");
        Assert.True(insideRefused > 0, "the generator must reach the outbound guard's refusal");
        output.WriteLine($"seed {Seed}: {Specs} specs × {ProviderIds.Length} providers ({Specs * ProviderIds.Length} checks) in {clock.Elapsed.TotalSeconds:0.0} s ({(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0} s CPU in this process)");
        output.WriteLine($"accepted: {string.Join(", ", accepted.Select(a => $"{a.Key} {a.Value}"))}; refused: {string.Join(", ", refusals.Select(r => $"{r.Key} ×{r.Value}"))}");
        output.WriteLine($"git: {gitRuns} recorded command lines (none started), {resolved} resolved, {insideRefused} refused by the outbound guard");
    }

    /// <summary>
    /// The outbound guard's fixed <c>-c</c> settings (never pinning the inside address) and the fixed words come first, user
    /// text only after <c>--</c>, and the URL is canonical with a host the spec named, or the loopback address such a name
    /// resolved to.
    /// </summary>
    internal static void AssertSafe(GitInvocation invocation, string spec, IReadOnlyCollection<string> schemes)
    {
        var all = invocation.Arguments;
        var i = 0;
        for (; i < all.Count - 1 && all[i] == "-c"; i += 2)
        {
            Assert.True(all[i + 1] is "http.followRedirects=false" or "http.proxy=" || all[i + 1].StartsWith("http.curloptResolve=", StringComparison.Ordinal),
                $"{Show(spec)} → git {string.Join(' ', all)}");
            if (all[i + 1].StartsWith("http.curloptResolve=", StringComparison.Ordinal))
            {
                var pinnedTo = all[i + 1].Split(':', 3)[2].Split(',');
                Assert.DoesNotContain(LoopbackHostResolver.Inside.ToString(), pinnedTo);
            }
        }
        var args = all.Skip(i).ToArray();
        Assert.True(args is ["ls-remote", "--", _, _, _], $"{Show(spec)} → git {string.Join(' ', all)}");
        var url = args[2];
        Assert.Equal(url, GitUrl.Canonicalize(url, schemes, out _));
        Assert.Equal(string.Join(':', schemes), invocation.Environment["GIT_ALLOW_PROTOCOL"]);
        Assert.Contains("BatchMode=yes", invocation.Environment["GIT_SSH_COMMAND"]);
        var host = GitUrl.HostOf(url);
        var named = Uri.UnescapeDataString(spec);
        // git:// and ssh:// get the address the guard checked (a name's, or a literal's however it was written), never the inside one.
        var pinned = System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && !address.Equals(LoopbackHostResolver.Inside);
        Assert.True(host.Length > 0 && (pinned || named.Contains("//" + host, StringComparison.OrdinalIgnoreCase) || named.Contains("@" + host, StringComparison.OrdinalIgnoreCase)),
            $"{Show(spec)} → git {string.Join(' ', args)}: host '{host}' is not named in the spec");
    }

    internal static string Show(string spec) => "\"" + string.Concat(spec.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString())) + "\"";
}
