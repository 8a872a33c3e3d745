using EmbeddingService.Engine.Text;
using System.Text.Json.Serialization;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Retrieval;

namespace EmbeddingService.Api.Collections;

/// <summary>A collection as the REST API shows it.</summary>
/// <param name="State">ready; loading (after a restart: every call on it answers 503 store_unavailable with Retry-After until it is ready);
/// or corrupt (its log is damaged: every call but delete answers store_corrupt, see <paramref name="Problem"/>).</param>
public sealed record CollectionResource(string Name, long Count, string Index, DateTimeOffset Created, CollectionResource.ModelBinding Model, string State,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Problem)
{
    public sealed record ModelBinding(
        string Architecture,
        [property: JsonPropertyName("weights_fingerprint")] string WeightsFingerprint,
        string Pooling,
        string Policy,
        int Resolution,
        int Dim);

    public static CollectionResource Of(CollectionInfo info) => new(
        info.Name, info.Count, KebabCaseNames<IndexKind>.Name(info.Index), info.CreatedAt,
        new ModelBinding(info.Model.Architecture, info.Model.WeightsFingerprint, info.Model.Pooling, info.Model.ResolutionPolicy, info.Model.Resolution, info.Model.Dimension),
        info.State.ToString().ToLowerInvariant(), info.Problem);
}
