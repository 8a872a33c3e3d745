using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
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
            .WithTags("Service")
            .WithSummary("What the service serves: model, output widths per pooling, preprocessing, batching, request limits, versions.")
            .Produces<ModelInfo>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(AuthPolicies.Info);
        app.MapAdminGroup().MapGet("/ping", () => Results.NoContent())
            .WithName("AdminPing")
            .WithSummary("204 for a valid admin key: checks admin credentials.");
        return app;
    }

    /// <summary>Routes under /v1/admin, all of which need an admin key.</summary>
    public static RouteGroupBuilder MapAdminGroup(this IEndpointRouteBuilder routes) =>
        routes.MapGroup(AdminPrefix).WithTags("Admin").RequireAuthorization(AuthPolicies.Admin).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
}
