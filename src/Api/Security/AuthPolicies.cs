using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Security;

/// <summary>
/// The authorization policies. With no key configured every policy allows everything; otherwise "ApiKey" (also
/// the fallback of every endpoint without a policy, gRPC services included) needs a valid key, "Admin" an admin
/// key, and "Health", "Metrics", "Info" are open or need a key per Auth:OpenHealth/OpenMetrics/OpenInfo.
/// </summary>
public static class AuthPolicies
{
    public const string ApiKey = "ApiKey";
    public const string Admin = "Admin";
    public const string Health = "Health";
    public const string Metrics = "Metrics";
    public const string Info = "Info";

    public static IServiceCollection AddApiKeyAuth(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyStore>().AddHostedService<OpenAccessWarning>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<ApiKeyStore, IOptions<AuthOptions>>((authorization, keys, auth) =>
        {
            var open = new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build();
            var key = keys.Enabled ? new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build() : open;
            var admin = keys.Enabled ? new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireRole(ApiKeyAuthenticationHandler.AdminRole).Build() : open;
            authorization.AddPolicy(ApiKey, key);
            authorization.AddPolicy(Admin, admin);
            authorization.AddPolicy(Health, auth.Value.OpenHealth ? open : key);
            authorization.AddPolicy(Metrics, auth.Value.OpenMetrics ? open : key);
            authorization.AddPolicy(Info, auth.Value.OpenInfo ? open : key);
            authorization.DefaultPolicy = key;
            authorization.FallbackPolicy = key;
        });
        return services;
    }
}
