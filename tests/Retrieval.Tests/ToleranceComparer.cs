namespace EmbeddingService.Retrieval.Tests;

/// <summary>Floats equal within an absolute tolerance, for comparing vectors element by element.</summary>
public sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float x, float y) => MathF.Abs(x - y) <= tolerance;

    public int GetHashCode(float value) => 0;
}
