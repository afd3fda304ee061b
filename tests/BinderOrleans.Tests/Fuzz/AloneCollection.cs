namespace BinderOrleans.Tests.Fuzz;

/// <summary>
/// Tests that measure the process (its managed heap) run alone, after the parallel ones: another test's silo or server
/// in the same process would otherwise count as this test's memory.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
