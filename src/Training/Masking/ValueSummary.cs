using System.Text.Json.Serialization;

namespace EmbeddingService.Training.Masking;

/// <summary>Summary of a sampled quantity under the masking manifest's keys; absent parts are not written.</summary>
public sealed record ValueSummary(
    [property: JsonPropertyName("mean")] double Mean,
    [property: JsonPropertyName("min"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Min = null,
    [property: JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Max = null,
    [property: JsonPropertyName("std"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Std = null);
