namespace BinderOrleans.Server.Cluster;

/// <summary>Where the silo looks up which activation of a grain is the one.</summary>
internal static class StrictGrainDirectory
{
    /// <summary>
    /// Orleans' strongly consistent distributed grain directory, for every grain. The build grain's single activation is
    /// the lock that builds an image once, and the queue grain's is the only count of running builds; Orleans' default
    /// directory is eventually consistent and allows a second activation while membership changes.
    /// </summary>
    public static ISiloBuilder UseStrictGrainDirectory(this ISiloBuilder silo)
    {
#pragma warning disable ORLEANSEXP003 // Experimental in Orleans 10; the default directory cannot promise one activation.
        return silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
    }
}
