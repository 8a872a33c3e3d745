using System.Text.Json;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>Points to insert or replace: ids, unit vectors back to back (ids.Length × dimension) and payloads (JSON objects or null).</summary>
internal sealed record UpsertOperation(string[] Ids, float[] Vectors, JsonElement?[] Payloads) : LogOperation
{
    /// <summary>The points, checked by <see cref="CollectionRequestRules"/>, against the collection's dimension, as unit vectors.</summary>
    public static UpsertOperation Of(IReadOnlyList<VectorPoint> points, string collection, CollectionModel model)
    {
        var dimension = model.Dimension;
        for (var i = 0; i < points.Count; i++) StoreFailures.CheckPointDimension(points[i], i, collection, model);
        var vectors = new float[(long)points.Count * dimension];
        for (var i = 0; i < points.Count; i++) UnitVectors.Normalize(points[i].Vector.Span, vectors.AsSpan(i * dimension, dimension));
        return new UpsertOperation(
            points.Select(p => p.Id).ToArray(),
            vectors,
            points.Select(p => CollectionRequestRules.IsAbsent(p.Payload) ? null : (JsonElement?)p.Payload!.Value.Clone()).ToArray());
    }
}
