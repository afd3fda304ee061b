using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.KubernetesNode;

/// <summary>
/// A folder of bare repositories served by a <see cref="GitHttpHost"/> on 127.0.0.1: what a pod in the host's network,
/// or a container run there, clones from.
/// </summary>
public sealed class GitRoot : IAsyncDisposable
{
    private readonly string _root;

    private GitRoot(string root, GitHttpHost host)
    {
        _root = root;
        Host = host;
    }

    public GitHttpHost Host { get; }

    public static async Task<GitRoot> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("binder-test-git-root-").FullName;
        return new GitRoot(root, await GitHttpHost.StartAsync(root));
    }

    /// <summary>Serves <paramref name="repo"/> as it is now under <paramref name="name"/>; returns its clone URL.</summary>
    public string Serve(GitRepo repo, string name)
    {
        repo.Git("clone", "-q", "--bare", repo.Path, Path.Combine(_root, name + ".git"));
        return new Uri(Host.BaseUri, name + ".git").AbsoluteUri;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        try { Directory.Delete(_root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
