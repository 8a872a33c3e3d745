using static TorchSharp.torch;

namespace EmbeddingService.Training.Optimization;

/// <summary>AdamW's state of one parameter: first moment (exp_avg), second moment (exp_avg_sq) and its step count.</summary>
public sealed record AdamWParameterState(Tensor ExpAvg, Tensor ExpAvgSq, long Step);
