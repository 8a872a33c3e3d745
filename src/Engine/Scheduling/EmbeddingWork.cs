using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Engine.Scheduling;

/// <summary>One image to embed, how, and by when the answer is still wanted.</summary>
public sealed record EmbeddingWork(PreprocessedImage Image, EmbedOptions Options, DateTimeOffset Deadline);
