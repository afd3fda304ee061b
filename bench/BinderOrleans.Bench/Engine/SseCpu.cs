namespace BinderOrleans.Bench.Engine;

/// <summary>CPU seconds used during one SSE round: by the server process, by the bench (the clients), by every process on the machine.</summary>
internal sealed record SseCpu(double ServerS, double BenchS, double MachineS);
