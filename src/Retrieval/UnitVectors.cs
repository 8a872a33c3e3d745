namespace EmbeddingService.Retrieval;

/// <summary>
/// Scales vectors to unit length, so that a dot product is the cosine similarity. The norm is summed in double,
/// so vectors of tiny or huge components (1e-30, 1e30) normalise instead of underflowing or overflowing.
/// </summary>
internal static class UnitVectors
{
    /// <summary>Writes source / ‖source‖ into destination, or says why it cannot: zero, or a NaN or infinite component.</summary>
    public static string? Normalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        var sumOfSquares = 0.0;
        foreach (var x in source)
        {
            if (!float.IsFinite(x)) return "the vector has a non-finite (NaN or infinite) component";
            sumOfSquares += (double)x * x;
        }
        if (sumOfSquares == 0) return "the vector is zero, so it has no direction";
        var inverseNorm = 1 / Math.Sqrt(sumOfSquares);
        for (var i = 0; i < source.Length; i++) destination[i] = (float)(source[i] * inverseNorm);
        return null;
    }
}
