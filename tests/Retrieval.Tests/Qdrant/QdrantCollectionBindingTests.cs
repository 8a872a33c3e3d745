using EmbeddingService.Retrieval.Qdrant;
using Qdrant.Client.Grpc;
using QdrantCollectionInfo = Qdrant.Client.Grpc.CollectionInfo;

namespace EmbeddingService.Retrieval.Tests.Qdrant;

/// <summary>The model binding kept in Qdrant's collection metadata, written and read back.</summary>
public sealed class QdrantCollectionBindingTests
{
    private static readonly CollectionModel Model = new("vitb14_reg", "sha256:feedface", "cls+mean", "keep-aspect", 518, 1536);

    private static readonly QdrantCollectionBinding Binding =
        new(Model, IndexKind.Exact, new DateTimeOffset(2026, 3, 1, 12, 30, 15, 123, TimeSpan.Zero).AddTicks(4567));

    private static QdrantCollectionInfo Info(Dictionary<string, Value> metadata, ulong size = 1536, Distance distance = Distance.Cosine)
    {
        var config = new CollectionConfig
        {
            Params = new CollectionParams { VectorsConfig = new VectorsConfig { Params = new VectorParams { Size = size, Distance = distance } } },
        };
        config.Metadata.Add(metadata);
        return new QdrantCollectionInfo { Config = config };
    }

    [Fact]
    public void TheBindingRoundTripsThroughTheMetadata()
    {
        var read = QdrantCollectionBinding.Read(Info(Binding.ToMetadata()), "photos");

        Assert.Equal(Binding, read);
    }

    [Theory]
    [InlineData(IndexKind.Auto)]
    [InlineData(IndexKind.Exact)]
    [InlineData(IndexKind.Hnsw)]
    public void EveryIndexKindRoundTrips(IndexKind index)
    {
        Assert.Equal(index, QdrantCollectionBinding.Read(Info((Binding with { Index = index }).ToMetadata()), "photos").Index);
    }

    [Fact]
    public void TheBindingIsOneNamespacedMetadataEntry()
    {
        var metadata = Binding.ToMetadata();

        var entry = Assert.Single(metadata);
        Assert.Equal(QdrantCollectionBinding.MetadataKey, entry.Key);
        Assert.Equal("vitb14_reg", entry.Value.StructValue.Fields["architecture"].StringValue);
        Assert.Equal(1536, entry.Value.StructValue.Fields["dimension"].IntegerValue);
        Assert.Equal("exact", entry.Value.StructValue.Fields["index"].StringValue);
    }

    [Fact]
    public void OtherMetadataBesideTheBindingIsIgnored()
    {
        var metadata = Binding.ToMetadata();
        metadata["owner"] = new Value { StringValue = "team-x" };

        Assert.Equal(Binding, QdrantCollectionBinding.Read(Info(metadata), "photos"));
    }

    [Fact]
    public void ACollectionWithoutTheBindingIsCorrupt()
    {
        var e = Assert.Throws<RetrievalException>(() => QdrantCollectionBinding.Read(Info([]), "photos"));

        Assert.Equal(RetrievalError.StoreCorrupt, e.Error);
        Assert.Contains("'photos'", e.Message);
        Assert.Contains("not created by this service", e.Message);
    }

    [Theory]
    [InlineData("architecture")]
    [InlineData("dimension")]
    [InlineData("index")]
    [InlineData("created_at")]
    [InlineData("format")]
    public void AMissingFieldIsCorrupt(string field)
    {
        var metadata = Binding.ToMetadata();
        metadata[QdrantCollectionBinding.MetadataKey].StructValue.Fields.Remove(field);

        var e = Assert.Throws<RetrievalException>(() => QdrantCollectionBinding.Read(Info(metadata), "photos"));

        Assert.Equal(RetrievalError.StoreCorrupt, e.Error);
        Assert.Contains(field, e.Message);
    }

    [Theory]
    [InlineData(768ul, Distance.Cosine)]
    [InlineData(1536ul, Distance.Dot)]
    public void VectorsThatDoNotFitTheModelAreCorrupt(ulong size, Distance distance)
    {
        var e = Assert.Throws<RetrievalException>(() => QdrantCollectionBinding.Read(Info(Binding.ToMetadata(), size, distance), "photos"));

        Assert.Equal(RetrievalError.StoreCorrupt, e.Error);
    }

    [Fact]
    public void SettingsMatchOnModelAndIndex()
    {
        Assert.Null(StoreFailures.Differences(Binding.Settings, new CollectionSettings(Model, IndexKind.Exact)));
        Assert.Equal("index Hnsw instead of Exact", StoreFailures.Differences(Binding.Settings, new CollectionSettings(Model, IndexKind.Hnsw)));
        Assert.Equal("weights sha256:other instead of sha256:feedface",
            StoreFailures.Differences(Binding.Settings, new CollectionSettings(Model with { WeightsFingerprint = "sha256:other" }, IndexKind.Exact)));
    }
}
