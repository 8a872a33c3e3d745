using TorchSharp.Modules;

namespace EmbeddingService.Training.Optimization;

/// <summary>One parameter's optimiser settings (an entry of dinov2's get_params_groups_with_decay).</summary>
public sealed record ParameterSettings(string Name, Parameter Parameter, double LrMultiplier, double WdMultiplier, bool IsLastLayer);
