using EmbeddingService.Api.Admin;
using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting.OpenApi;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Problems;
using EmbeddingService.Api.Security;
using EmbeddingService.Api.Training;

namespace EmbeddingService.Api.Hosting;

/// <summary>Builds the web application: configuration, logging, telemetry, security, the embedding runtime and the routes.</summary>
public static class ApiApplication
{
    /// <param name="args">Command-line configuration (--Section:Key=value).</param>
    /// <param name="configure">Last changes to the builder before it is built (extra services, e.g. in tests).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceLogging().AddServiceTelemetry();
        builder.Services
            .AddServiceOptions(builder.Configuration)
            .AddServingEndpoints()
            .AddServiceProblemDetails()
            .AddApiKeyAuth()
            .AddServiceRateLimiting()
            .AddServiceHealth()
            .AddServiceOpenApi()
            .AddCollections()
            .AddTraining()
            .AddSingleton<EmbeddingRuntime>()
            .AddHostedService(sp => sp.GetRequiredService<EmbeddingRuntime>())
            .AddServiceGrpc();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseServiceRequestLogging().UseServiceErrors();
        app.UseRouting();
        app.UsePortSeparation();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapServiceHealth().MapServiceEndpoints().MapServiceOpenApi().MapServiceMetrics();
        app.MapEmbedEndpoint();
        app.MapCollectionEndpoints();
        app.MapTraining();
        app.MapGrpcService<EmbeddingGrpcService>();
        app.MapGrpcService<RetrievalGrpcService>();
        return app;
    }
}
