using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Security;
using EmbeddingService.Api.Training;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Hosting;

/// <summary>Binds the configuration sections and validates them when the host starts.</summary>
public static class OptionsSetup
{
    public static IServiceCollection AddServiceOptions(this IServiceCollection services, IConfiguration configuration)
    {
        Add<ServingOptions>(services, configuration, ServingOptions.Section).Services.AddSingleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>();
        Add<AuthOptions>(services, configuration, AuthOptions.Section).Configure(auth => auth.BindKeyLists(configuration.GetSection(AuthOptions.Section)))
            .Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        Add<TelemetryOptions>(services, configuration, TelemetryOptions.Section).Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        Add<ModelOptions>(services, configuration, ModelOptions.Section);
        Add<RetrievalOptions>(services, configuration, RetrievalOptions.Section).Services.AddSingleton<IValidateOptions<RetrievalOptions>, RetrievalOptionsValidator>();
        Add<TrainingOptions>(services, configuration, TrainingOptions.Section).Services.AddSingleton<IValidateOptions<TrainingOptions>, TrainingOptionsValidator>();
        return services;
    }

    private static OptionsBuilder<TOptions> Add<TOptions>(IServiceCollection services, IConfiguration configuration, string section) where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new SectionAnnotationsValidator<TOptions>(section));
        var values = configuration.GetSection(section);
        return services.AddOptions<TOptions>().Configure(options => Bind(values, options)).ValidateOnStart();
    }

    /// <summary>
    /// Binds a section; a value the binder cannot convert (Serving:RestPort=abc, Serving:Policy=stretch) is refused
    /// like any other bad setting, with its key.
    /// </summary>
    private static void Bind<TOptions>(IConfigurationSection values, TOptions options) where TOptions : class
    {
        try
        {
            values.Bind(options);
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException or ArgumentException)
        {
            throw new OptionsValidationException(values.Path, typeof(TOptions), [$"{e.Message} {e.InnerException.Message}"]);
        }
    }
}
