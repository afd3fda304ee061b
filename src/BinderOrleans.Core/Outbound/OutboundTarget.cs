using System.Net;

namespace BinderOrleans.Core.Outbound;

/// <summary>Where a checked fetch may connect.</summary>
/// <param name="Host">The host as named.</param>
/// <param name="Addresses">The checked addresses, in resolver order; empty for an operator endpoint (connect by name).</param>
/// <param name="OperatorEndpoint">The host and port are an endpoint the operator configured, not checked.</param>
public sealed record OutboundTarget(string Host, IReadOnlyList<IPAddress> Addresses, bool OperatorEndpoint);
