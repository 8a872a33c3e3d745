namespace EmbeddingService.Retrieval.Tests;

/// <summary>Seeded vector sets for search tests.</summary>
public static class TestVectors
{
    /// <summary>Unit vectors around <paramref name="clusters"/> random centres (noise 0.35 per unit of spread), like embeddings of related images.</summary>
    public static float[][] Clustered(int count, int dimension, int clusters, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, clusters).Select(_ => Gaussian(random, dimension, 1f)).ToArray();
        return Enumerable.Range(0, count).Select(i =>
        {
            var noise = Gaussian(random, dimension, 0.35f);
            return Unit(centres[i % clusters].Zip(noise, (c, n) => c + n).ToArray());
        }).ToArray();
    }

    public static float[] Gaussian(Random random, int dimension, float scale) =>
        Enumerable.Range(0, dimension).Select(_ => scale * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();

    public static float[] Unit(float[] vector)
    {
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return vector.Select(v => v / norm).ToArray();
    }
}
