namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// The draws the augmentation makes, one call per draw in the official pipeline's order. One instance serves one
/// thread; replaying recorded values through it reproduces an official crop's parameters.
/// </summary>
public interface IAugmentationRandom
{
    /// <summary>A uniform draw in [low, high).</summary>
    double Uniform(double low, double high);

    /// <summary>A uniform integer in [low, highExclusive).</summary>
    int Integer(int low, int highExclusive);
}
