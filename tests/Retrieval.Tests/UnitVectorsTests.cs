namespace EmbeddingService.Retrieval.Tests;

/// <summary>Vectors scaled to unit length, and the vectors that have no direction.</summary>
public sealed class UnitVectorsTests
{
    [Fact]
    public void VectorsAreNormalised() => Assert.Equal([0.6f, 0f, 0.8f, 0f], UnitVectors.Normalized(new float[] { 3, 0, 4, 0 }));

    [Theory]
    [InlineData(1e-30f)]
    [InlineData(1e30f)]
    public void TinyAndHugeVectorsNormaliseWithoutUnderflowOrOverflow(float scale)
    {
        var vector = new[] { 3 * scale, 4 * scale };

        Assert.Null(UnitVectors.Problem(vector));
        Assert.Equal([0.6f, 0.8f], UnitVectors.Normalized(vector), new ToleranceComparer(1e-6f));
    }

    [Theory]
    [InlineData(0f, 0f, "zero")]
    [InlineData(float.NaN, 1f, "non-finite")]
    [InlineData(float.PositiveInfinity, 1f, "non-finite")]
    [InlineData(float.MaxValue, float.MaxValue, null)]
    public void ZeroAndNonFiniteVectorsHaveNoDirection(float x, float y, string? reason)
    {
        var problem = UnitVectors.Problem(new[] { x, y });

        if (reason is null) Assert.Null(problem);
        else Assert.Contains(reason, problem);
    }
}
