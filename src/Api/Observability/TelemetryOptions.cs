namespace EmbeddingService.Api.Observability;

/// <summary>Configuration section "Telemetry": OTLP export (traces and metrics) when an endpoint is set.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    public string? OtlpEndpoint { get; set; }

    public string ServiceName { get; set; } = "embedding-service";
}
