using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EmbeddingService.Retrieval.Indexing;

/// <summary>Dot products of one query against many contiguous rows, the inner loop of exact search.</summary>
internal static class DotProducts
{
    /// <summary>scores[i] = query · row i of <paramref name="rows"/> (rows of query.Length floats, back to back).</summary>
    public static void Score(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> scores)
    {
        var dimension = query.Length;
        var count = rows.Length / dimension;
        if (scores.Length < count) throw new ArgumentException("scores is shorter than the row count", nameof(scores));
        var done = 0;
        if (Vector256.IsHardwareAccelerated && dimension % Vector256<float>.Count == 0)
            done = ScoreFourRowsAtATime(query, rows, scores[..count]);
        for (var row = done; row < count; row++)
            scores[row] = TensorPrimitives.Dot(query, rows.Slice(row * dimension, dimension));
    }

    /// <summary>
    /// Four rows per pass: each query chunk is loaded once for four rows and four independent accumulator chains keep
    /// the FMA units busy while the rows stream in. Returns how many rows it scored (a multiple of four).
    /// </summary>
    private static int ScoreFourRowsAtATime(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> scores)
    {
        var dimension = query.Length;
        var step = Vector256<float>.Count;
        ref var q = ref Unsafe.AsRef(in query[0]);
        ref var r = ref Unsafe.AsRef(in rows[0]);
        var count = scores.Length / 4 * 4;
        for (var row = 0; row < count; row += 4)
        {
            ref var r0 = ref Unsafe.Add(ref r, row * dimension);
            ref var r1 = ref Unsafe.Add(ref r0, dimension);
            ref var r2 = ref Unsafe.Add(ref r1, dimension);
            ref var r3 = ref Unsafe.Add(ref r2, dimension);
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            var a3 = Vector256<float>.Zero;
            for (var j = 0; j < dimension; j += step)
            {
                var qj = Vector256.LoadUnsafe(ref q, (nuint)j);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)j), qj, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r1, (nuint)j), qj, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r2, (nuint)j), qj, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r3, (nuint)j), qj, a3);
            }
            scores[row] = Vector256.Sum(a0);
            scores[row + 1] = Vector256.Sum(a1);
            scores[row + 2] = Vector256.Sum(a2);
            scores[row + 3] = Vector256.Sum(a3);
        }
        return count;
    }
}
