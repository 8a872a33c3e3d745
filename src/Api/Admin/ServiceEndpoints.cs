using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Hosting.OpenApi;
using EmbeddingService.Api.Problems;
using EmbeddingService.Api.Security;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Admin;

/// <summary>The service's own REST routes: /v1/info and the admin group.</summary>
public static class ServiceEndpoints
{
    public const string AdminPrefix = "/v1/admin";

    public static WebApplication MapServiceEndpoints(this WebApplication app)
    {
        app.MapGet("/v1/info", (EmbeddingRuntime runtime, IOptions<ServingOptions> serving, IOptions<RetrievalOptions> retrieval) => runtime.Current is { } current
                ? Results.Ok(ModelInfo.Of(current.Model, serving.Value, retrieval.Value))
                : ApiProblems.Result(ApiProblems.NotReady, runtime.State))
            .WithName("GetInfo")
            .WithTags(ServiceDocument.Service)
            .WithSummary("What the service serves")
            .WithDescription("The model (architecture, weights fingerprint and file name, random or not), output widths per pooling, preprocessing, " +
                             "batching, every request limit, the device and the versions.")
            .Produces<ModelInfo>()
            .ProducesProblems(ApiProblems.NotReady)
            .RequireAuthorization(AuthPolicies.Info);
        app.MapAdminGroup().MapGet("/ping", () => Results.NoContent())
            .WithName("AdminPing")
            .WithSummary("Check an admin key")
            .WithDescription("204 for a valid admin key; 401 without a valid key, 403 for a key that is not an admin key.")
            .Produces(StatusCodes.Status204NoContent);
        return app;
    }

    /// <summary>Routes under /v1/admin, all of which need an admin key.</summary>
    public static RouteGroupBuilder MapAdminGroup(this IEndpointRouteBuilder routes) =>
        routes.MapGroup(AdminPrefix).WithTags(ServiceDocument.Admin).RequireAuthorization(AuthPolicies.Admin);
}
