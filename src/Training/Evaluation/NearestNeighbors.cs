using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Evaluation;

/// <summary>
/// Exact top-k by dot product (cosine similarity for L2-normalised rows) against a fixed set of train rows, on
/// the rows' device. The train set is scanned in chunks and the per-chunk top-k merged, the way the official
/// KnnModule merges the per-rank top-k, so a query batch never materialises its full similarity row: at the
/// default 65,536 rows a batch of 256 queries holds 64 MiB of similarities, whatever the train set's size.
/// </summary>
public sealed class NearestNeighbors
{
    private readonly Tensor _train;
    private readonly long _trainChunkSize;

    /// <param name="train">[N, D], kept by reference.</param>
    public NearestNeighbors(Tensor train, long trainChunkSize = 65_536)
    {
        if (train.dim() != 2) throw new ArgumentException($"train rows must be [N, D], not {string.Join('x', train.shape)}", nameof(train));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainChunkSize);
        _train = train;
        _trainChunkSize = trainChunkSize;
    }

    public long Count => _train.shape[0];

    /// <summary>The <paramref name="k"/> nearest train rows of each row of <paramref name="queries"/> [Q, D].</summary>
    public Neighbors Search(Tensor queries, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, Count);
        using var scope = NewDisposeScope();
        Tensor? sims = null, indices = null;
        for (long start = 0; start < Count; start += _trainChunkSize)
        {
            var rows = Math.Min(_trainChunkSize, Count - start);
            var chunk = queries.mm(_train.narrow(0, start, rows).T);
            var (chunkSims, chunkIndices) = chunk.topk((int)Math.Min(k, rows), dim: 1, largest: true, sorted: true);
            chunkIndices = chunkIndices.Plus(start);
            if (sims is null || indices is null)
            {
                (sims, indices) = (chunkSims, chunkIndices);
                continue;
            }
            var candidates = cat([sims, chunkSims], 1);
            var (mergedSims, position) = candidates.topk((int)Math.Min(k, candidates.shape[1]), dim: 1, largest: true, sorted: true);
            (sims, indices) = (mergedSims, cat([indices, chunkIndices], 1).gather(1, position));
        }
        return new Neighbors(sims!.MoveToOuterDisposeScope(), indices!.MoveToOuterDisposeScope());
    }
}
