using System.Globalization;
using Google.Protobuf.Collections;
using Qdrant.Client.Grpc;
using QdrantCollectionInfo = Qdrant.Client.Grpc.CollectionInfo;

namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>
/// What a Qdrant collection was created with (model, index, creation time), kept in the collection's own metadata
/// under <see cref="MetadataKey"/>. Collection metadata (Qdrant server 1.16+, Qdrant.Client 1.16+) is written by the
/// same call that creates the collection and is deleted with it, so the binding can never be missing, stale or
/// half-written. The alternatives were worse: a reserved point would show up in counts, searches and deletes and
/// would have to be filtered out of each; a companion collection would take two non-atomic writes per create and
/// delete, and could disagree with the collections it describes after a crash between them.
/// </summary>
internal sealed record QdrantCollectionBinding(CollectionModel Model, IndexKind Index, DateTimeOffset CreatedAt)
{
    /// <summary>The one metadata key this service writes, so it can share a collection's metadata with others.</summary>
    public const string MetadataKey = "embedding_service";

    /// <summary>Layout of the metadata value; a change of layout bumps it.</summary>
    private const int Format = 1;

    public CollectionSettings Settings => new(Model, Index);

    public CollectionInfo Describe(string name, long count) => new(name, Model, Index, count, CreatedAt);

    public Dictionary<string, Value> ToMetadata()
    {
        var binding = new Struct();
        binding.Fields["format"] = new Value { IntegerValue = Format };
        binding.Fields["architecture"] = new Value { StringValue = Model.Architecture };
        binding.Fields["weights_fingerprint"] = new Value { StringValue = Model.WeightsFingerprint };
        binding.Fields["pooling"] = new Value { StringValue = Model.Pooling };
        binding.Fields["resolution_policy"] = new Value { StringValue = Model.ResolutionPolicy };
        binding.Fields["resolution"] = new Value { IntegerValue = Model.Resolution };
        binding.Fields["dimension"] = new Value { IntegerValue = Model.Dimension };
        binding.Fields["index"] = new Value { StringValue = Index.ToString().ToLowerInvariant() };
        binding.Fields["created_at"] = new Value { StringValue = CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) };
        return new Dictionary<string, Value> { [MetadataKey] = new Value { StructValue = binding } };
    }

    /// <summary>Reads the binding back, checking it against the collection's vector parameters.</summary>
    /// <param name="collection">The caller's name, for the error message.</param>
    /// <exception cref="RetrievalException"><see cref="RetrievalError.StoreCorrupt"/> when the metadata is missing or does not fit the collection.</exception>
    public static QdrantCollectionBinding Read(QdrantCollectionInfo info, string collection)
    {
        if (!info.Config.Metadata.TryGetValue(MetadataKey, out var value) || value.KindCase != Value.KindOneofCase.StructValue)
            throw Corrupt(collection, $"has no '{MetadataKey}' metadata: it was not created by this service");
        var fields = value.StructValue.Fields;
        if (Integer(fields, "format", collection) != Format)
            throw Corrupt(collection, $"has '{MetadataKey}' metadata of format {fields["format"].IntegerValue}; this version reads format {Format}");
        var model = new CollectionModel(
            Text(fields, "architecture", collection),
            Text(fields, "weights_fingerprint", collection),
            Text(fields, "pooling", collection),
            Text(fields, "resolution_policy", collection),
            Integer(fields, "resolution", collection),
            Integer(fields, "dimension", collection));
        if (!Enum.TryParse<IndexKind>(Text(fields, "index", collection), ignoreCase: true, out var index) || !Enum.IsDefined(index))
            throw Corrupt(collection, $"names an unknown index '{fields["index"].StringValue}'");
        if (!DateTimeOffset.TryParseExact(Text(fields, "created_at", collection), "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var createdAt))
            throw Corrupt(collection, $"has an unreadable creation time '{fields["created_at"].StringValue}'");
        var vectors = info.Config.Params.VectorsConfig?.Params;
        if (vectors is null || vectors.Size != (ulong)model.Dimension || vectors.Distance != Distance.Cosine)
            throw Corrupt(collection, $"stores {vectors?.Size.ToString(CultureInfo.InvariantCulture) ?? "named"} {vectors?.Distance.ToString() ?? ""} vectors, but its model is {model.Describe()} (cosine)");
        return new QdrantCollectionBinding(model, index, createdAt);
    }

    private static string Text(MapField<string, Value> fields, string name, string collection) =>
        fields.TryGetValue(name, out var v) && v.KindCase == Value.KindOneofCase.StringValue ? v.StringValue : throw Missing(collection, name);

    private static int Integer(MapField<string, Value> fields, string name, string collection) =>
        fields.TryGetValue(name, out var v) && v.KindCase == Value.KindOneofCase.IntegerValue && v.IntegerValue is >= int.MinValue and <= int.MaxValue
            ? (int)v.IntegerValue
            : throw Missing(collection, name);

    private static RetrievalException Missing(string collection, string field) => Corrupt(collection, $"lacks a valid '{MetadataKey}.{field}' in its metadata");

    private static RetrievalException Corrupt(string collection, string problem) =>
        new(RetrievalError.StoreCorrupt, $"Qdrant collection '{collection}' {problem}.");
}
