using System.Numerics.Tensors;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>Scales vectors to unit length so that a dot product is the cosine similarity.</summary>
internal static class VectorNormalizer
{
    /// <summary>Writes source / ‖source‖ into destination; false for a zero, NaN or infinite vector.</summary>
    public static bool TryNormalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        var norm = TensorPrimitives.Norm(source);
        if (!float.IsFinite(norm) || norm == 0) return false;
        TensorPrimitives.Divide(source, norm, destination);
        return true;
    }
}
