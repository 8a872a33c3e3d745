using TorchSharp.Modules;

namespace EmbeddingService.Training.Optimization;

/// <summary>One optimiser parameter group: every parameter sharing the same multipliers and last-layer flag.</summary>
public sealed record FusedParameterGroup(double LrMultiplier, double WdMultiplier, bool IsLastLayer, IReadOnlyList<string> Names, IReadOnlyList<Parameter> Parameters);
