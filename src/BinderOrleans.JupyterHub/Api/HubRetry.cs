namespace BinderOrleans.JupyterHub.Api;

/// <summary>Which answers make a hub API call worth repeating.</summary>
internal enum HubRetry
{
    /// <summary>One attempt.</summary>
    Never,

    /// <summary>No answer, or a gateway error (502/503/504) from a proxy in front of the hub: the hub never saw the call.</summary>
    WhenUnreachable,

    /// <summary>No answer or any 5xx (BinderHub's rule for its API calls).</summary>
    OnServerError,
}
