using EmbeddingService.Api.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace EmbeddingService.Api.Hosting.OpenApi;

/// <summary>
/// The OpenAPI document at /openapi/v1.json and its interactive reference at /docs, open per Auth:OpenInfo. Routes
/// carry their names, summaries, tags, response bodies and problem codes; the transformers here add the security
/// requirements, the problem responses, the probe routes and (<see cref="RequestDocs"/>) the request bodies.
/// </summary>
public static class OpenApiSetup
{
    public const string DocsPath = "/docs";

    public static IServiceCollection AddServiceOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        // Nested records are named with their parent (EmbedResponseItem), not as a bare "Item" among the components.
        options.CreateSchemaReferenceId = info => OpenApiOptions.CreateDefaultSchemaReferenceId(info) is { } id && info.Type.DeclaringType is { } parent ? parent.Name + id : OpenApiOptions.CreateDefaultSchemaReferenceId(info);
        options.AddDocumentTransformer<ServiceDocument>();
        options.AddOperationTransformer<ApiKeySecurity>();
        options.AddOperationTransformer<ProblemResponses>();
        options.AddSchemaTransformer((schema, _, _) =>
        {
            // The web JSON defaults also read numbers from strings, so the generated schemas say "number or numeric
            // string"; the service writes numbers, and its hand-written readers take only numbers.
            if (schema.Type is { } type && (type & (JsonSchemaType.Number | JsonSchemaType.Integer)) != 0 && type.HasFlag(JsonSchemaType.String))
            {
                schema.Type = type & ~JsonSchemaType.String;
                schema.Pattern = null;
            }
            return Task.CompletedTask;
        });
    });

    public static WebApplication MapServiceOpenApi(this WebApplication app)
    {
        app.MapOpenApi().RequireAuthorization(AuthPolicies.Info);
        app.MapScalarApiReference(DocsPath, options => options.WithTitle("EmbeddingService API").AddPreferredSecuritySchemes(ApiKeySecurity.HeaderScheme))
            .RequireAuthorization(AuthPolicies.Info);
        return app;
    }
}
