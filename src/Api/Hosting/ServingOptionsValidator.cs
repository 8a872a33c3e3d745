using EmbeddingService.Api.Embedding;
using EmbeddingService.Engine.Imaging;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Hosting;

/// <summary>The rules of section "Serving" that span fields or depend on the model family.</summary>
public sealed class ServingOptionsValidator : IValidateOptions<ServingOptions>
{
    /// <summary>Every DINOv2 variant cuts images into 14×14 patches.</summary>
    public const int PatchSize = 14;

    public ValidateOptionsResult Validate(string? name, ServingOptions options)
    {
        var failures = new List<string>();
        if (options.Resolution % PatchSize != 0)
            failures.Add($"{Key(nameof(options.Resolution))}: {options.Resolution} is not a multiple of the patch size {PatchSize}");
        if (options.RestPort != 0 && options.RestPort == options.GrpcPort)
            failures.Add($"{Key(nameof(options.GrpcPort))}: the gRPC port must differ from {Key(nameof(options.RestPort))} ({options.RestPort})");
        if (!System.Net.IPAddress.TryParse(options.BindAddress, out _))
            failures.Add($"{Key(nameof(options.BindAddress))}: '{options.BindAddress}' is not an IP address");
        if (options.MaxBatchImages > options.QueueCapacity)
            failures.Add($"{Key(nameof(options.MaxBatchImages))}: {options.MaxBatchImages} exceeds {Key(nameof(options.QueueCapacity))} ({options.QueueCapacity})");
        // The default center crop with up to 4 registers: every request would be refused otherwise.
        var defaultTokens = EmbedOptionsParser.CenterCropTokens(options.Resolution, PatchSize, numRegisters: 4);
        if (options.Policy == ResizePolicy.CenterCrop && defaultTokens > options.MaxImageTokens)
            failures.Add($"{Key(nameof(options.Resolution))}: a {options.Resolution} px center crop is up to {defaultTokens} tokens, over {Key(nameof(options.MaxImageTokens))} ({options.MaxImageTokens})");
        if (options.MaxRequestTokens < options.MaxImageTokens)
            failures.Add($"{Key(nameof(options.MaxRequestTokens))}: {options.MaxRequestTokens} is below {Key(nameof(options.MaxImageTokens))} ({options.MaxImageTokens}), so no image of that size could be sent");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Key(string property) => $"{ServingOptions.Section}:{property}";
}
