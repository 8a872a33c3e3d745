using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// Dot products of one query against many contiguous rows, the inner loop of exact search. Every row's score is
/// computed by the same sequence of operations wherever the row sits (in a group of four, alone, in any block), so a
/// scan split into blocks or across threads scores each row bit for bit as a sequential scan does.
/// </summary>
internal static class DotProducts
{
    /// <summary>The SIMD width the scan uses for rows of <paramref name="dimension"/> floats: 16 (AVX-512), 8 (AVX2) or 0 (none).</summary>
    public static int Width(int dimension) =>
        Vector512.IsHardwareAccelerated && dimension % Vector512<float>.Count == 0 ? Vector512<float>.Count
        : Vector256.IsHardwareAccelerated && dimension % Vector256<float>.Count == 0 ? Vector256<float>.Count
        : 0;

    /// <summary>scores[i] = query · row i of <paramref name="rows"/> (rows of query.Length floats, back to back).</summary>
    public static void Score(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> scores)
    {
        var dimension = query.Length;
        var count = rows.Length / dimension;
        if (scores.Length < count) throw new ArgumentException("scores is shorter than the row count", nameof(scores));
        switch (Width(dimension))
        {
            case 16:
                Score512(query, rows, scores[..count]);
                break;
            case 8:
                Score256(query, rows, scores[..count]);
                break;
            default:
                for (var row = 0; row < count; row++) scores[row] = TensorPrimitives.Dot(query, rows.Slice(row * dimension, dimension));
                break;
        }
    }

    /// <summary>
    /// Four rows per pass: each query chunk is loaded once for four rows and four independent accumulator chains keep
    /// the FMA units busy while the rows stream in; the last rows go one at a time through the same per-row chain.
    /// </summary>
    private static void Score512(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> scores)
    {
        var dimension = query.Length;
        var step = Vector512<float>.Count;
        ref var q = ref Unsafe.AsRef(in query[0]);
        ref var r = ref Unsafe.AsRef(in rows[0]);
        var four = scores.Length / 4 * 4;
        for (var row = 0; row < four; row += 4)
        {
            ref var r0 = ref Unsafe.Add(ref r, row * dimension);
            ref var r1 = ref Unsafe.Add(ref r0, dimension);
            ref var r2 = ref Unsafe.Add(ref r1, dimension);
            ref var r3 = ref Unsafe.Add(ref r2, dimension);
            var (a0, a1, a2, a3) = (Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero);
            for (var j = 0; j < dimension; j += step)
            {
                var qj = Vector512.LoadUnsafe(ref q, (nuint)j);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r0, (nuint)j), qj, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r1, (nuint)j), qj, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r2, (nuint)j), qj, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r3, (nuint)j), qj, a3);
            }
            scores[row] = Vector512.Sum(a0);
            scores[row + 1] = Vector512.Sum(a1);
            scores[row + 2] = Vector512.Sum(a2);
            scores[row + 3] = Vector512.Sum(a3);
        }
        for (var row = four; row < scores.Length; row++)
        {
            ref var r0 = ref Unsafe.Add(ref r, row * dimension);
            var a0 = Vector512<float>.Zero;
            for (var j = 0; j < dimension; j += step)
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r0, (nuint)j), Vector512.LoadUnsafe(ref q, (nuint)j), a0);
            scores[row] = Vector512.Sum(a0);
        }
    }

    /// <summary><see cref="Score512"/> at AVX2 width.</summary>
    private static void Score256(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> scores)
    {
        var dimension = query.Length;
        var step = Vector256<float>.Count;
        ref var q = ref Unsafe.AsRef(in query[0]);
        ref var r = ref Unsafe.AsRef(in rows[0]);
        var four = scores.Length / 4 * 4;
        for (var row = 0; row < four; row += 4)
        {
            ref var r0 = ref Unsafe.Add(ref r, row * dimension);
            ref var r1 = ref Unsafe.Add(ref r0, dimension);
            ref var r2 = ref Unsafe.Add(ref r1, dimension);
            ref var r3 = ref Unsafe.Add(ref r2, dimension);
            var (a0, a1, a2, a3) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
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
        for (var row = four; row < scores.Length; row++)
        {
            ref var r0 = ref Unsafe.Add(ref r, row * dimension);
            var a0 = Vector256<float>.Zero;
            for (var j = 0; j < dimension; j += step)
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)j), Vector256.LoadUnsafe(ref q, (nuint)j), a0);
            scores[row] = Vector256.Sum(a0);
        }
    }
}
