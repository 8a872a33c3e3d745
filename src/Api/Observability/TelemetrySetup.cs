using System.Reflection;
using EmbeddingService.Api.Security;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EmbeddingService.Api.Observability;

/// <summary>OpenTelemetry traces and metrics; Prometheus text at GET /metrics, OTLP only when Telemetry:OtlpEndpoint is set.</summary>
public static class TelemetrySetup
{
    public const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddServiceTelemetry(this WebApplicationBuilder builder)
    {
        // Which exporters exist is decided here, before the options are validated; the validator still stops
        // start-up on a malformed endpoint before any exporter is built.
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = string.IsNullOrEmpty(telemetry.OtlpEndpoint) ? null : telemetry.OtlpEndpoint;
        var version = typeof(TelemetrySetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName, serviceVersion: version))
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(options => options.Filter = context => !IsInfrastructure(context.Request.Path));
                if (otlp is not null) tracing.AddOtlpExporter(options => options.Endpoint = new Uri(otlp));
            })
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddRuntimeInstrumentation().AddMeter(ServiceMeter.Name).AddPrometheusExporter();
                if (otlp is not null) metrics.AddOtlpExporter(options => options.Endpoint = new Uri(otlp));
            });
        return builder;
    }

    public static IEndpointConventionBuilder MapServiceMetrics(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(AuthPolicies.Metrics);

    private static bool IsInfrastructure(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments(MetricsPath);
}
