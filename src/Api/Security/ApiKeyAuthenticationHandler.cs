using System.Security.Claims;
using System.Text.Encodings.Web;
using EmbeddingService.Api.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace EmbeddingService.Api.Security;

/// <summary>
/// Authenticates "Authorization: Bearer KEY" or "X-API-Key: KEY" (HTTP headers and gRPC metadata alike) and
/// answers refusals with problem+json (REST) or a gRPC status (gRPC calls).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string AdminRole = "admin";
    public const string ApiKeyHeader = "X-API-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentedKey() is not { } presented)
            return Task.FromResult(AuthenticateResult.NoResult());
        if (keys.Find(presented) is not { } match)
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        List<Claim> claims = [new(ClaimTypes.Name, match.Id)];
        if (match.Admin) claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        var detail = failure?.Message ?? $"An API key is required: 'Authorization: Bearer KEY' or '{ApiKeyHeader}: KEY'.";
        Response.Headers.WWWAuthenticate = "Bearer";
        if (GrpcStatusResponse.IsGrpc(Request))
            await GrpcStatusResponse.WriteAsync(Response, ApiProblems.Unauthorized, detail);
        else
            await ApiProblems.Result(ApiProblems.Unauthorized, detail).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        const string detail = "This operation needs an admin key.";
        if (GrpcStatusResponse.IsGrpc(Request))
            await GrpcStatusResponse.WriteAsync(Response, ApiProblems.Forbidden, detail);
        else
            await ApiProblems.Result(ApiProblems.Forbidden, detail).ExecuteAsync(Context);
    }

    private string? PresentedKey()
    {
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization["Bearer ".Length..].Trim();
        var header = Request.Headers[ApiKeyHeader].ToString();
        return header.Length > 0 ? header : null;
    }
}
