using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Security;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Hosting;

/// <summary>Binds the configuration sections and validates them when the host starts.</summary>
public static class OptionsSetup
{
    public static IServiceCollection AddServiceOptions(this IServiceCollection services, IConfiguration configuration)
    {
        Add<ServingOptions>(services, configuration, ServingOptions.Section).Services.AddSingleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>();
        Add<AuthOptions>(services, configuration, AuthOptions.Section).Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        Add<TelemetryOptions>(services, configuration, TelemetryOptions.Section).Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        Add<ModelOptions>(services, configuration, ModelOptions.Section);
        Add<RetrievalOptions>(services, configuration, RetrievalOptions.Section).Services.AddSingleton<IValidateOptions<RetrievalOptions>, RetrievalOptionsValidator>();
        return services;
    }

    private static OptionsBuilder<TOptions> Add<TOptions>(IServiceCollection services, IConfiguration configuration, string section) where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new SectionAnnotationsValidator<TOptions>(section));
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }
}
