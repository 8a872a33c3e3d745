using System.Text.Json;
using EmbeddingService.Retrieval.Qdrant;
using Google.Protobuf.Collections;
using Qdrant.Client.Grpc;

namespace EmbeddingService.Retrieval.Tests.Qdrant;

/// <summary>JSON payloads to Qdrant values and back, with the reserved id key added and removed.</summary>
public sealed class QdrantPayloadsTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static MapField<string, Value> Stored(string id, JsonElement? payload)
    {
        var map = new MapField<string, Value>();
        QdrantPayloads.Fill(map, id, payload);
        return map;
    }

    [Theory]
    [InlineData("""{"shelf":"c","count":3,"price":2.5,"negative":-7,"big":9007199254740993,"tiny":1e-300,"on":true,"off":false,"none":null}""")]
    [InlineData("""{"tags":["a",1,2.5,true,null,[],{}],"empty":[],"inner":{}}""")]
    [InlineData("""{"a":{"b":{"c":["deep",{"d":42}]}},"text":"quote \" slash \\ unicode ✓ 🙂"}""")]
    [InlineData("""{"_id_not_reserved":1,"nested":{"_id":"allowed below the top level"}}""")]
    public void PayloadsRoundTrip(string json)
    {
        var stored = Stored("p1", Json(json));

        var back = QdrantPayloads.CallerPayload(stored);

        Assert.NotNull(back);
        Assert.True(JsonElement.DeepEquals(Json(json), back.Value), $"{json} came back as {back.Value.GetRawText()}");
        Assert.Equal("p1", QdrantPayloads.IdOf(stored, "c"));
    }

    [Fact]
    public void NumbersKeepTheirKind()
    {
        var stored = Stored("p", Json("""{"i":3,"l":9007199254740993,"d":2.5,"e":1.0}"""));

        Assert.Equal(3, stored["i"].IntegerValue);
        Assert.Equal(9007199254740993, stored["l"].IntegerValue);
        Assert.Equal(2.5, stored["d"].DoubleValue);
        Assert.Equal(Value.KindOneofCase.DoubleValue, stored["e"].KindCase);
    }

    [Fact]
    public void NestedValuesBecomeStructsAndLists()
    {
        var stored = Stored("p", Json("""{"a":{"b":[1,"x"]}}"""));

        var b = stored["a"].StructValue.Fields["b"].ListValue.Values;
        Assert.Equal(1, b[0].IntegerValue);
        Assert.Equal("x", b[1].StringValue);
    }

    [Fact]
    public void TheIdIsStoredUnderTheReservedKeyAndHiddenFromCallers()
    {
        var stored = Stored("photo/1", Json("""{"shelf":"c"}"""));

        Assert.Equal("photo/1", stored[QdrantPointIds.PayloadKey].StringValue);
        Assert.False(QdrantPayloads.CallerPayload(stored)!.Value.TryGetProperty(QdrantPointIds.PayloadKey, out _));
    }

    [Fact]
    public void AJsonNullPayloadIsNoPayload()
    {
        var stored = Stored("p", Json("null"));

        Assert.Single(stored);
        Assert.Null(QdrantPayloads.CallerPayload(stored));
    }

    [Fact]
    public void APointWithoutPayloadReadsBackWithout()
    {
        var stored = Stored("p", null);

        Assert.Single(stored);
        Assert.Null(QdrantPayloads.CallerPayload(stored));
    }

    [Theory]
    [InlineData("""{"n":1e400}""", "outside the range")]
    public void PayloadsQdrantCannotHoldAreRefused(string json, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Stored("p", Json(json)));

        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void AStoredPointWithoutTheIdKeyIsCorrupt()
    {
        var foreign = new MapField<string, Value> { ["shelf"] = new Value { StringValue = "c" } };

        var e = Assert.Throws<RetrievalException>(() => QdrantPayloads.IdOf(foreign, "photos"));

        Assert.Equal(RetrievalError.StoreCorrupt, e.Error);
        Assert.Contains("photos", e.Message);
    }
}
