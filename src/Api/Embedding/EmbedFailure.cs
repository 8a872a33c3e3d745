namespace EmbeddingService.Api.Embedding;

/// <summary>Why one input got no embedding: a stable problem code and a specific message.</summary>
public sealed record EmbedFailure(string Code, string Message)
{
    /// <summary>An input of a failed multi-image request that was withdrawn or never submitted; never reported on its own.</summary>
    public const string NotComputedCode = "not_computed";
}
