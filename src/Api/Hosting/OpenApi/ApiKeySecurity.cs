using EmbeddingService.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace EmbeddingService.Api.Hosting.OpenApi;

/// <summary>
/// The API-key security schemes ("Authorization: Bearer KEY" or "X-API-Key: KEY", see <see cref="ApiKeyAuthenticationHandler"/>)
/// and each operation's requirement, read from its authorization policy as it applies when keys are configured:
/// a key, an admin key (role "admin"), or nothing for the routes Auth:OpenHealth/OpenMetrics/OpenInfo leave open.
/// </summary>
public sealed class ApiKeySecurity : IOpenApiOperationTransformer
{
    public const string HeaderScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    public enum Requirement { None, Key, Admin }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        Apply(operation, context.Document!, RequirementOf(context.Description.ActionDescriptor.EndpointMetadata, context.ApplicationServices));
        return Task.CompletedTask;
    }

    /// <summary>
    /// What a route's policies ask for (every one must pass): an admin key if any is <see cref="AuthPolicies.Admin"/>; a key
    /// if any needs one; none when all are open. A route without a policy falls back to <see cref="AuthPolicies.ApiKey"/>.
    /// </summary>
    public static Requirement RequirementOf(IEnumerable<object> metadata, IServiceProvider services)
    {
        var items = metadata.ToList();
        if (items.OfType<IAllowAnonymous>().Any()) return Requirement.None;
        var policies = items.OfType<IAuthorizeData>().Select(a => a.Policy ?? AuthPolicies.ApiKey).DefaultIfEmpty(AuthPolicies.ApiKey).ToList();
        var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (policies.Contains(AuthPolicies.Admin)) return Requirement.Admin;
        return policies.Any(policy => policy switch
        {
            AuthPolicies.Health => !auth.OpenHealth,
            AuthPolicies.Metrics => !auth.OpenMetrics,
            AuthPolicies.Info => !auth.OpenInfo,
            _ => true,
        }) ? Requirement.Key : Requirement.None;
    }

    /// <summary>Sets the operation's security: either scheme, with the admin role for admin routes (OpenAPI 3.1 allows roles for API-key schemes).</summary>
    public static void Apply(OpenApiOperation operation, OpenApiDocument document, Requirement requirement)
    {
        if (requirement == Requirement.None) return;
        AddSchemes(document);
        List<string> roles = requirement == Requirement.Admin ? [ApiKeyAuthenticationHandler.AdminRole] : [];
        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HeaderScheme, document)] = roles },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = roles },
        ];
    }

    private static void AddSchemes(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        const string keys = "A key of Auth:ApiKeys, or of Auth:AdminKeys for /v1/admin routes. A service with no keys configured is open.";
        document.Components.SecuritySchemes.TryAdd(HeaderScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.ApiKeyHeader,
            Description = $"{ApiKeyAuthenticationHandler.ApiKeyHeader}: KEY. {keys}",
        });
        document.Components.SecuritySchemes.TryAdd(BearerScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = $"Authorization: Bearer KEY. {keys}",
        });
    }
}
