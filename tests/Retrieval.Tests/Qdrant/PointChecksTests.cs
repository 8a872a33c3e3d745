using EmbeddingService.Retrieval.Qdrant;

namespace EmbeddingService.Retrieval.Tests.Qdrant;

/// <summary>The checks made before Qdrant is called: ids, vectors and queries, failing with the offending index.</summary>
public sealed class PointChecksTests
{
    [Fact]
    public void VectorsAreNormalised()
    {
        var unit = PointChecks.Normalised(new float[] { 3, 0, 4, 0 }, 4, "photos", 0);

        Assert.Equal([0.6f, 0f, 0.8f, 0f], unit);
    }

    [Theory]
    [InlineData(1e-30f)]
    [InlineData(1e30f)]
    public void TinyAndHugeVectorsNormaliseWithoutUnderflowOrOverflow(float scale)
    {
        var unit = PointChecks.Normalised(new[] { 3 * scale, 4 * scale }, 2, "c", null);

        Assert.Equal(0.6f, unit[0], 1e-6f);
        Assert.Equal(0.8f, unit[1], 1e-6f);
    }

    [Fact]
    public void AVectorOfAnotherDimensionIsADimensionMismatch()
    {
        var e = Assert.Throws<RetrievalException>(() => PointChecks.Normalised(new float[] { 1, 0, 0 }, 4, "photos", 5));

        Assert.Equal(RetrievalError.DimensionMismatch, e.Error);
        Assert.Equal(5, e.Index);
        Assert.Contains("3 dimensions", e.Message);
        Assert.Contains("'photos' stores 4", e.Message);
    }

    [Theory]
    [InlineData(0f, 0f, "zero")]
    [InlineData(float.NaN, 1f, "non-finite")]
    [InlineData(float.PositiveInfinity, 1f, "non-finite")]
    public void ZeroAndNonFiniteVectorsAreInvalid(float x, float y, string reason)
    {
        var e = Assert.Throws<RetrievalException>(() => PointChecks.Normalised(new[] { x, y }, 2, "photos", 1));

        Assert.Equal(RetrievalError.InvalidArgument, e.Error);
        Assert.Equal(1, e.Index);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\there")]
    public void BadIdsAreInvalid(string id)
    {
        var e = Assert.Throws<RetrievalException>(() => PointChecks.CheckId(id, 3));

        Assert.Equal(RetrievalError.InvalidArgument, e.Error);
        Assert.Equal(3, e.Index);
    }

    [Fact]
    public void IdsHaveALengthLimit()
    {
        PointChecks.CheckId(new string('x', PointIds.MaxUtf8Bytes), null);
        Assert.Throws<RetrievalException>(() => PointChecks.CheckId(new string('x', PointIds.MaxUtf8Bytes + 1), null));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(-1, null)]
    [InlineData(10, float.NaN)]
    public void QueriesNeedAPositiveKAndAFiniteThreshold(int k, float? threshold)
    {
        var e = Assert.Throws<RetrievalException>(() => PointChecks.CheckQuery(new SearchQuery(new float[] { 1 }, k, ScoreThreshold: threshold), 2));

        Assert.Equal(RetrievalError.InvalidArgument, e.Error);
        Assert.Equal(2, e.Index);
    }
}
