using System.Text.Json;
using System.Text.Json.Serialization;
using EmbeddingService.Api.Embedding;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>
/// A model this API can serve: one a job exported (id: the job's id) or "configured" (Model:Weights). active: the
/// worker's activation names it (configured: nothing is activated); serving: this replica serves it now.
/// </summary>
public sealed record ModelResource(
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Fingerprint,
    string Architecture,
    [property: JsonPropertyName("source_job_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceJobId,
    [property: JsonPropertyName("source_kind"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceKind,
    [property: JsonPropertyName("created_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? CreatedAt,
    IReadOnlyDictionary<string, double> Knn,
    [property: JsonPropertyName("size_bytes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? SizeBytes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Config,
    bool Active,
    bool Serving)
{
    public static ModelResource Of(V1.Model model, bool serving) => new(
        model.Id, model.Fingerprint, model.Architecture, model.SourceJobId, model.SourceKind == V1.JobKind.Unspecified ? null : JobNames.Kind(model.SourceKind),
        model.CreatedAt?.ToDateTimeOffset(), model.Knn, model.SizeBytes,
        model.ConfigJson.Length == 0 ? null : JsonDocument.Parse(model.ConfigJson).RootElement.Clone(), model.Active, serving);

    /// <summary>Model:Weights: its fingerprint and architecture are known once this replica has served it.</summary>
    public static ModelResource Configured(ServedModelSwitch served, EmbeddingRuntime runtime, bool active)
    {
        var serving = served.ServingId == StartupModel.ConfiguredId;
        var descriptor = serving ? runtime.Current?.Model.Descriptor : null;
        return new ModelResource(StartupModel.ConfiguredId, descriptor?.WeightsFingerprint ?? served.ConfiguredFingerprint, descriptor?.Architecture ?? "configured",
            null, null, null, new Dictionary<string, double>(), null, null, active, serving && runtime.Current is not null);
    }
}

/// <summary>The worker's activation: the active model's id ("configured" when none), its generation and time.</summary>
public sealed record ActivationResource(
    [property: JsonPropertyName("model_id")] string ModelId,
    long Generation,
    [property: JsonPropertyName("activated_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ActivatedAt)
{
    public static ActivationResource Of(V1.ActiveModel active) =>
        new(active.Model?.Id ?? StartupModel.ConfiguredId, active.Generation, active.ActivatedAt?.ToDateTimeOffset());
}

/// <summary>GET /v1/admin/models: every model, the activation, and what this replica serves.</summary>
public sealed record ModelListResource(IReadOnlyList<ModelResource> Models, ActivationResource Active, ServingResource Serving);

/// <summary>What this replica serves now: the model's id and the fingerprint /v1/info and collections report.</summary>
public sealed record ServingResource([property: JsonPropertyName("model_id")] string ModelId, string? Fingerprint)
{
    public static ServingResource Of(ServedModelSwitch served, EmbeddingRuntime runtime) => new(served.ServingId, runtime.Current?.Model.Descriptor.WeightsFingerprint);
}

/// <summary>POST …/activate: the activation and the model this replica serves after it, with how long the switch took here.</summary>
public sealed record ActivateResource(
    ActivationResource Active,
    ServingResource Serving,
    [property: JsonPropertyName("switch_seconds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? SwitchSeconds);
