namespace EmbeddingService.Engine.Model;

/// <summary>How images of different sizes share one forward.</summary>
public enum BatchLayout
{
    /// <summary>Token sequences concatenated without padding; attention per group of equal lengths.</summary>
    Packed,

    /// <summary>
    /// Every sequence padded with zero tokens to the longest one and attention masked, the usual alternative:
    /// same results, but token-wise layers also run on the padding. Kept for comparison.
    /// </summary>
    Padded,
}
