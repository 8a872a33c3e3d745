namespace EmbeddingService.Api.Embedding;

/// <summary>
/// Why a call got no embeddings: a stable problem code, the reason and, when one input was the cause, its index and
/// id, which the message names ("input 1 (v4): ...").
/// </summary>
public sealed record EmbedFailure(string Code, string Reason, int? Index = null, string? InputId = null)
{
    public string Message => Index is { } i ? $"input {i}{(InputId is null ? "" : $" ({InputId})")}: {Reason}" : Reason;

    /// <summary>The same failure with its input numbered as the caller numbers it (its place in a larger request), or, with null, not numbered.</summary>
    public EmbedFailure WithIndex(int? index) => this with { Index = index };
}
