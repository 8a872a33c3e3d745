using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Observability;

/// <summary>Checks section "Telemetry": an OTLP endpoint, when set, must be an absolute http(s) URI.</summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.OtlpEndpoint)
            && !(Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            failures.Add($"{TelemetryOptions.Section}:{nameof(options.OtlpEndpoint)}: '{options.OtlpEndpoint}' is not an absolute http(s) URI");
        if (string.IsNullOrWhiteSpace(options.ServiceName))
            failures.Add($"{TelemetryOptions.Section}:{nameof(options.ServiceName)}: must not be empty");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
