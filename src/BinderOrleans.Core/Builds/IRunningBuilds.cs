namespace BinderOrleans.Core.Builds;

/// <summary>How many builds run right now, cluster-wide (the <c>build_pods</c> of <c>/health</c>'s Pod quota item).</summary>
public interface IRunningBuilds
{
    Task<int> CountAsync(CancellationToken cancellationToken);
}
