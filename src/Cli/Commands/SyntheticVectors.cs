using EmbeddingService.Retrieval.Indexing;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// Seeded unit vectors for the search benchmark: "random" (uniform on the sphere, no structure: the hardest case for
/// a graph index) or "clustered" (Gaussian noise around 1,000 random centres, closer to real image embeddings).
/// Row i depends only on the seed and i, so a run is reproducible whatever the thread count.
/// </summary>
internal sealed class SyntheticVectors(string kind, int dimension, int seed)
{
    private const int Clusters = 1000;
    private const float ClusterNoise = 0.6f;
    private readonly float[][] _centres = kind switch
    {
        "random" => [],
        "clustered" => Enumerable.Range(0, Clusters).Select(c => Gaussian(new Random(HashCode.Combine(seed, -1 - c)), dimension, 1f)).ToArray(),
        _ => throw new ArgumentException($"--data must be random or clustered, not '{kind}'"),
    };

    /// <summary>Row <paramref name="index"/> of stream <paramref name="stream"/> (0 = stored points, 1 = queries).</summary>
    public float[] Row(int stream, long index)
    {
        var random = new Random(HashCode.Combine(seed, stream, index));
        var vector = Gaussian(random, dimension, _centres.Length == 0 ? 1f : ClusterNoise);
        if (_centres.Length > 0)
        {
            var centre = _centres[random.Next(_centres.Length)];
            for (var i = 0; i < dimension; i++) vector[i] += centre[i];
        }
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        for (var i = 0; i < dimension; i++) vector[i] /= norm;
        return vector;
    }

    /// <summary>The first <paramref name="count"/> stored rows, generated on all cores.</summary>
    public VectorArena Arena(int count)
    {
        var arena = new VectorArena(dimension);
        const int chunk = 16_384;
        for (var start = 0; start < count; start += chunk)
        {
            var rows = new float[Math.Min(chunk, count - start)][];
            Parallel.For(0, rows.Length, i => rows[i] = Row(0, start + i));
            foreach (var row in rows) arena.Append(row);
        }
        return arena;
    }

    private static float[] Gaussian(Random random, int dimension, float scale)
    {
        var vector = new float[dimension];
        for (var i = 0; i < dimension; i++)
            vector[i] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return vector;
    }
}
