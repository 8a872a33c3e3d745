using EmbeddingService.Api.Hosting;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Collections;

/// <summary>The services behind /v1/collections and the Retrieval gRPC service.</summary>
public static class CollectionsSetup
{
    public static IServiceCollection AddCollections(this IServiceCollection services) => services
        .AddSingleton<VectorStoreHost>()
        .AddHostedService(sp => sp.GetRequiredService<VectorStoreHost>())
        .AddSingleton<RetrievalService>()
        .AddSingleton(sp => new RetrievalRequestReader(sp.GetRequiredService<IOptions<RetrievalOptions>>().Value, sp.GetRequiredService<IOptions<ServingOptions>>().Value));
}
