using System.Formats.Tar;
using BinderOrleans.Docker.Buildpacks;

namespace BinderOrleans.Tests.Docker;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BuildContextTests
{
    private static async Task<List<(TarEntry Entry, byte[] Data)>> ReadAsync(BuildContext context)
    {
        using var buffer = new MemoryStream();
        await context.WriteAsync(buffer, CancellationToken.None);
        buffer.Position = 0;
        var entries = new List<(TarEntry, byte[])>();
        using var reader = new TarReader(buffer);
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            using var data = new MemoryStream();
            if (entry.DataStream is { } stream) await stream.CopyToAsync(data);
            entries.Add((entry, data.ToArray()));
        }
        return entries;
    }

    private static async Task<byte[]> BytesAsync(BuildContext context)
    {
        using var buffer = new MemoryStream();
        await context.WriteAsync(buffer, CancellationToken.None);
        return buffer.ToArray();
    }

    [Fact]
    public async Task ForGenerated_Layout_DockerfileEntrypointAndRepoUnderSrc()
    {
        using var tree = new TempTree(new() { ["index.ipynb"] = "{}", ["binder/requirements.txt"] = "six" });

        var entries = await ReadAsync(BuildContext.ForGenerated("FROM x\n", tree.Root, DockerIgnore.Empty));

        var names = entries.Select(e => e.Entry.Name).ToList();
        Assert.Equal(["Dockerfile", "binder-entrypoint", "src/", "src/binder/", "src/binder/requirements.txt", "src/index.ipynb"], names);
        Assert.Equal("FROM x\n", System.Text.Encoding.UTF8.GetString(entries[0].Data));
        Assert.True(entries[1].Entry.Mode.HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task WriteAsync_EveryEntry_FixedOwnerAndTime()
    {
        using var tree = new TempTree(new() { ["a.txt"] = "a", ["dir/b.txt"] = "b" });

        var entries = await ReadAsync(BuildContext.ForGenerated("FROM x\n", tree.Root, DockerIgnore.Empty));

        Assert.All(entries, e =>
        {
            Assert.Equal(1000, e.Entry.Uid);
            Assert.Equal(1000, e.Entry.Gid);
            Assert.Equal(BuildContext.FixedTime, e.Entry.ModificationTime);
        });
    }

    [Fact]
    public async Task WriteAsync_SameContentDifferentTimestampsAndModes_IdenticalBytes()
    {
        using var first = new TempTree(new() { ["requirements.txt"] = "six", ["nb.ipynb"] = "{}" });
        using var second = new TempTree(new() { ["nb.ipynb"] = "{}", ["requirements.txt"] = "six" });
        File.SetLastWriteTimeUtc(Path.Combine(second.Root, "requirements.txt"), new DateTime(2015, 5, 5, 0, 0, 0, DateTimeKind.Utc));
        File.SetUnixFileMode(Path.Combine(second.Root, "nb.ipynb"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var a = await BytesAsync(BuildContext.ForGenerated("FROM x\n", first.Root, DockerIgnore.Empty));
        var b = await BytesAsync(BuildContext.ForGenerated("FROM x\n", second.Root, DockerIgnore.Empty));

        Assert.Equal(a, b);
    }

    [Fact]
    public async Task WriteAsync_ExecutableFile_KeepsExecuteBitOnly()
    {
        using var tree = new TempTree(new() { ["postBuild"] = "#!/bin/sh\n", ["data.csv"] = "1" });
        File.SetUnixFileMode(Path.Combine(tree.Root, "postBuild"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var entries = await ReadAsync(BuildContext.ForRepository(tree.Root, "Dockerfile", DockerIgnore.Empty));

        Assert.Equal((UnixFileMode)0b111_101_101, entries.Single(e => e.Entry.Name == "postBuild").Entry.Mode);
        Assert.Equal((UnixFileMode)0b110_100_100, entries.Single(e => e.Entry.Name == "data.csv").Entry.Mode);
    }

    [Fact]
    public async Task ForRepository_DockerIgnore_ExcludesButKeepsTheDockerfile()
    {
        using var tree = new TempTree(new()
        {
            ["binder/Dockerfile"] = "FROM x\n",
            ["data/big.bin"] = "x",
            ["data/keep.txt"] = "k",
            ["notes.md"] = "n",
        });

        var ignore = DockerIgnore.Parse("data\n!data/keep.txt\nbinder\n");
        var names = (await ReadAsync(BuildContext.ForRepository(tree.Root, "binder/Dockerfile", ignore))).Select(e => e.Entry.Name).ToList();

        Assert.Contains("binder/Dockerfile", names);
        Assert.Contains("data/keep.txt", names);
        Assert.Contains("notes.md", names);
        Assert.DoesNotContain("data/big.bin", names);
    }

    [Fact]
    public async Task WriteAsync_Symlink_StoredAsLink()
    {
        using var tree = new TempTree(new() { ["target.txt"] = "t" });
        File.CreateSymbolicLink(Path.Combine(tree.Root, "link.txt"), "target.txt");

        var entries = await ReadAsync(BuildContext.ForRepository(tree.Root, "Dockerfile", DockerIgnore.Empty));

        var link = entries.Single(e => e.Entry.Name == "link.txt").Entry;
        Assert.Equal(TarEntryType.SymbolicLink, link.EntryType);
        Assert.Equal("target.txt", link.LinkName);
    }
}
