namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>
/// Qdrant point ids are unsigned integers or UUIDs; the store's ids are strings. Each string id maps to the
/// UUIDv5 of the id (UTF-8) in <see cref="Namespace"/>, so the mapping needs no lookup table and upserting the same
/// id twice replaces the point. The string itself is kept in the payload under <see cref="PayloadKey"/>.
/// </summary>
internal static class QdrantPointIds
{
    /// <summary>
    /// UUIDv5 of "urn:embedding-service:qdrant:point-id" in the RFC 9562 URL namespace. Never change it: every
    /// stored point would get a new UUID, and upserts would duplicate points instead of replacing them.
    /// </summary>
    public static readonly Guid Namespace = new("ae960b64-fa0d-59a8-afd8-e175b313108c");

    /// <summary>The reserved payload key that holds the caller's id; callers never see it and may not use it.</summary>
    public const string PayloadKey = CollectionRequestRules.ReservedPayloadKey;

    public static Guid For(string id) => NameBasedUuid.Version5(Namespace, id);
}
