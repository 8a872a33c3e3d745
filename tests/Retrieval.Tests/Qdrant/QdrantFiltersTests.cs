using System.Text.Json;
using EmbeddingService.Retrieval.Qdrant;
using Qdrant.Client.Grpc;

namespace EmbeddingService.Retrieval.Tests.Qdrant;

/// <summary>PayloadFilter to Qdrant's filter: must of field matches, "any" for several values, nested keys kept.</summary>
public sealed class QdrantFiltersTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static PayloadFilter Where(params (string Key, string[] Values)[] conditions) =>
        new(conditions.Select(c => new FieldCondition(c.Key, c.Values.Select(Json).ToList())).ToList());

    [Fact]
    public void NoConditionsIsNoFilter()
    {
        Assert.Null(QdrantFilters.ToQdrant(null));
        Assert.Null(QdrantFilters.ToQdrant(new PayloadFilter([])));
    }

    [Fact]
    public void OneValueIsAnExactMatchOfItsType()
    {
        var filter = QdrantFilters.ToQdrant(Where(("shelf", ["\"c\""]), ("aisle", ["7"]), ("on_sale", ["true"])))!;

        Assert.Equal(3, filter.Must.Count);
        Assert.Empty(filter.Should);
        Assert.Equal("shelf", filter.Must[0].Field.Key);
        Assert.Equal("c", filter.Must[0].Field.Match.Keyword);
        Assert.Equal("aisle", filter.Must[1].Field.Key);
        Assert.Equal(7, filter.Must[1].Field.Match.Integer);
        Assert.Equal("on_sale", filter.Must[2].Field.Key);
        Assert.True(filter.Must[2].Field.Match.Boolean);
    }

    [Fact]
    public void SeveralStringsAreKeywordsAndSeveralIntegersAreIntegers()
    {
        var filter = QdrantFilters.ToQdrant(Where(("shelf", ["\"a\"", "\"b\""]), ("aisle", ["1", "2", "3"])))!;

        Assert.Equal(["a", "b"], filter.Must[0].Field.Match.Keywords.Strings);
        Assert.Equal([1L, 2L, 3L], filter.Must[1].Field.Match.Integers.Integers);
    }

    [Fact]
    public void ValuesOfSeveralTypesAreAShouldOfTheirMatches()
    {
        var filter = QdrantFilters.ToQdrant(Where(("code", ["\"x\"", "\"y\"", "5", "false", "true"])))!;

        var anyOf = Assert.Single(filter.Must).Filter;
        Assert.NotNull(anyOf);
        Assert.Equal(4, anyOf.Should.Count);
        Assert.All(anyOf.Should, c => Assert.Equal("code", c.Field.Key));
        Assert.Equal(["x", "y"], anyOf.Should[0].Field.Match.Keywords.Strings);
        Assert.Equal(5, anyOf.Should[1].Field.Match.Integer);
        Assert.False(anyOf.Should[2].Field.Match.Boolean);
        Assert.True(anyOf.Should[3].Field.Match.Boolean);
    }

    [Fact]
    public void DottedKeysAreQdrantNestedKeys()
    {
        var filter = QdrantFilters.ToQdrant(Where(("meta.camera.make", ["\"Leica\""])))!;

        Assert.Equal("meta.camera.make", filter.Must[0].Field.Key);
        Assert.Equal(Match.MatchValueOneofCase.Keyword, filter.Must[0].Field.Match.MatchValueCase);
    }
}
