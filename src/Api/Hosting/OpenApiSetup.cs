using EmbeddingService.Api.Security;
using Scalar.AspNetCore;

namespace EmbeddingService.Api.Hosting;

/// <summary>The OpenAPI document at /openapi/v1.json and its interactive reference at /docs, open per Auth:OpenInfo.</summary>
public static class OpenApiSetup
{
    public const string DocsPath = "/docs";

    public static IServiceCollection AddServiceOpenApi(this IServiceCollection services) => services.AddOpenApi();

    public static WebApplication MapServiceOpenApi(this WebApplication app)
    {
        app.MapOpenApi().RequireAuthorization(AuthPolicies.Info);
        app.MapScalarApiReference(DocsPath).RequireAuthorization(AuthPolicies.Info);
        return app;
    }
}
