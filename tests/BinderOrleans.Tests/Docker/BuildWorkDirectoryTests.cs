using BinderOrleans.Docker.Builds;

namespace BinderOrleans.Tests.Docker;

public sealed class BuildWorkDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("binder-unit-work-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Observe_ClassicBuilderLines_RecordsStepContainersAndOnlyImagesItsStepsMade()
    {
        using var work = BuildWorkDirectory.Create(_root);

        foreach (var line in (string[])["Step 1/4 : FROM x\n", " ---> 50da94fe7a04\n", "Step 2/4 : RUN true\n", " ---> Running in 0c16125d8745\n",
                     "Removing intermediate container 0c16125d8745\n", " ---> 3a275e41fef0\n", "Step 3/4 : ENV A=1\n", " ---> Using cache\n",
                     " ---> 77aa12cd34ef\n", "Step 4/4 : RUN echo\n", " ---> Running in 9f9f9f9f9f9f\n", "echo  ---> 1234567890ab\n"])
        {
            work.Observe(line);
        }

        var (containers, images) = work.ReadRecord();
        Assert.Equal(["0c16125d8745", "9f9f9f9f9f9f"], containers);
        // The base image (FROM) and a cache hit are not this build's: only the image its own step made is recorded.
        Assert.Equal(["3a275e41fef0"], images);
    }

    [Fact]
    public void TryClaim_WhileTheBuildHoldsIt_Refused_AfterItEnds_Claimed()
    {
        var now = DateTimeOffset.UtcNow;
        var work = BuildWorkDirectory.Create(_root);

        Assert.Null(BuildWorkDirectory.TryClaim(work.Path, TimeSpan.FromHours(4), now));

        work.Dispose();
        using var claimed = BuildWorkDirectory.TryClaim(work.Path, TimeSpan.FromHours(4), now);
        Assert.NotNull(claimed);
    }

    [Fact]
    public void TryClaim_FolderWithoutLock_OnlyOnceOlderThanABuildCanRun()
    {
        var legacy = Path.Combine(_root, BuildWorkDirectory.Prefix + "legacy");
        Directory.CreateDirectory(legacy);
        var made = new DateTimeOffset(Directory.GetLastWriteTimeUtc(legacy), TimeSpan.Zero);

        Assert.Null(BuildWorkDirectory.TryClaim(legacy, TimeSpan.FromHours(4), made + TimeSpan.FromHours(1)));
        using var claimed = BuildWorkDirectory.TryClaim(legacy, TimeSpan.FromHours(4), made + TimeSpan.FromHours(5));
        Assert.NotNull(claimed);
    }

    [Fact]
    public void KeepRecordOnly_CheckoutGoes_RecordStays_WithoutRecordAllGoes()
    {
        var lost = BuildWorkDirectory.Create(_root);
        Directory.CreateDirectory(lost.Checkout);
        File.WriteAllText(Path.Combine(lost.Checkout, "README.md"), "x");
        lost.Observe(" ---> Running in 0c16125d8745\n");
        var clean = BuildWorkDirectory.Create(_root);
        Directory.CreateDirectory(clean.Checkout);

        lost.KeepRecordOnly();
        clean.KeepRecordOnly();

        Assert.False(Directory.Exists(lost.Checkout));
        Assert.False(Directory.Exists(clean.Path));
        using var claimed = BuildWorkDirectory.TryClaim(lost.Path, TimeSpan.FromHours(4), DateTimeOffset.UtcNow);
        Assert.Equal(["0c16125d8745"], claimed!.ReadRecord().Containers);
    }
}
