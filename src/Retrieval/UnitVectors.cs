namespace EmbeddingService.Retrieval;

/// <summary>
/// Scales vectors to unit length, so that a dot product is the cosine similarity. The norm is summed in double,
/// so vectors of tiny or huge components (1e-30, 1e30) normalise instead of underflowing or overflowing.
/// </summary>
internal static class UnitVectors
{
    /// <summary>Why <paramref name="vector"/> has no direction: zero, or a NaN or infinite component; null when it has one.</summary>
    public static string? Problem(ReadOnlySpan<float> vector)
    {
        foreach (var x in vector)
            if (!float.IsFinite(x)) return "the vector has a non-finite (NaN or infinite) component";
        return SumOfSquares(vector) == 0 ? "the vector is zero, so it has no direction" : null;
    }

    /// <summary>Writes source / ‖source‖ into destination; the source has passed <see cref="Problem"/>.</summary>
    public static void Normalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        var inverseNorm = 1 / Math.Sqrt(SumOfSquares(source));
        for (var i = 0; i < source.Length; i++) destination[i] = (float)(source[i] * inverseNorm);
    }

    public static float[] Normalized(ReadOnlySpan<float> source)
    {
        var unit = new float[source.Length];
        Normalize(source, unit);
        return unit;
    }

    private static double SumOfSquares(ReadOnlySpan<float> vector)
    {
        var sum = 0.0;
        foreach (var x in vector) sum += (double)x * x;
        return sum;
    }
}
