using EmbeddingService.Training.Augmentation;

namespace EmbeddingService.Training.Tests.Augmentation;

/// <summary>Feeds recorded official draws back in order: the uniform values as drawn, the integers as drawn.</summary>
internal sealed class ReplayedRandom(IEnumerable<double> uniforms, IEnumerable<int> integers) : IAugmentationRandom
{
    private readonly Queue<double> _uniforms = new(uniforms);
    private readonly Queue<int> _integers = new(integers);

    public double Uniform(double low, double high) => _uniforms.Dequeue();

    public int Integer(int low, int highExclusive)
    {
        var value = _integers.Dequeue();
        Assert.InRange(value, low, highExclusive - 1);
        return value;
    }

    public bool Exhausted => _uniforms.Count == 0 && _integers.Count == 0;
}
