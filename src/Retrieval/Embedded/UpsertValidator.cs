using System.Text.Json;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>Checks an upsert batch whole before anything is written, and turns it into an operation of unit vectors.</summary>
internal static class UpsertValidator
{
    public static UpsertOperation Prepare(IReadOnlyList<VectorPoint> points, string collection, CollectionModel model)
    {
        var dimension = model.Dimension;
        var ids = new string[points.Count];
        var vectors = new float[(long)points.Count * dimension];
        var payloads = new JsonElement?[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i] ?? throw Invalid(i, "the point is null");
            if (PointIds.Problem(point.Id) is { } idProblem) throw Invalid(i, idProblem);
            if (point.Vector.Length != dimension)
                throw new RetrievalException(RetrievalError.DimensionMismatch,
                    $"point {i} ('{point.Id}') has {point.Vector.Length} dimensions; collection '{collection}' holds {model.Describe()}", i);
            if (UnitVectors.Normalize(point.Vector.Span, vectors.AsSpan(i * dimension, dimension)) is { } vectorProblem)
                throw Invalid(i, $"'{point.Id}': {vectorProblem}");
            payloads[i] = point.Payload switch
            {
                null or { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null } => null,
                { ValueKind: JsonValueKind.Object } payload => payload.Clone(),
                { } other => throw Invalid(i, $"the payload of '{point.Id}' is a JSON {other.ValueKind}; it must be an object"),
            };
            ids[i] = point.Id;
        }
        return new UpsertOperation(ids, vectors, payloads);
    }

    public static DeleteOperation PrepareDelete(IReadOnlyList<string> ids)
    {
        for (var i = 0; i < ids.Count; i++)
            if (PointIds.Problem(ids[i]) is { } problem) throw Invalid(i, problem);
        return new DeleteOperation([.. ids]);
    }

    private static RetrievalException Invalid(int index, string problem) =>
        new(RetrievalError.InvalidArgument, $"point {index}: {problem}", index);
}
