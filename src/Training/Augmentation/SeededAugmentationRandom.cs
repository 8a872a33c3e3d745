namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// Deterministic draws from a seed (.NET's seeded <see cref="Random"/>, whose sequence is fixed for a seed across
/// runtimes). Its stream cannot be torch's: crops match the official pipeline in distribution, not draw for draw.
/// Not thread-safe: give each worker its own.
/// </summary>
public sealed class SeededAugmentationRandom(int seed) : IAugmentationRandom
{
    private readonly Random _random = new(seed);

    public double Uniform(double low, double high) => low + (high - low) * _random.NextDouble();

    public int Integer(int low, int highExclusive) => _random.Next(low, highExclusive);
}
