using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Training;

/// <summary>Checks what the annotations cannot: an endpoint that is an http(s) address, two distinct local ports.</summary>
public sealed class TrainingOptionsValidator : IValidateOptions<TrainingOptions>
{
    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Endpoint)
            && !(Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            problems.Add($"{TrainingOptions.Section}:{nameof(TrainingOptions.Endpoint)}: must be an http:// or https:// address, not '{options.Endpoint}'");
        if (options.LocalGrpcPort == options.LocalHttpPort)
            problems.Add($"{TrainingOptions.Section}:{nameof(TrainingOptions.LocalHttpPort)}: must differ from {nameof(TrainingOptions.LocalGrpcPort)} (both {options.LocalGrpcPort})");
        foreach (var (key, value) in new[] { (nameof(options.DataRoot), options.DataRoot), (nameof(options.DataDirectory), options.DataDirectory), (nameof(options.ModelCacheDirectory), options.ModelCacheDirectory) })
        {
            if (string.IsNullOrWhiteSpace(value)) problems.Add($"{TrainingOptions.Section}:{key}: is required");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
