using System.Threading.RateLimiting;
using EmbeddingService.Api.Problems;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Security;

/// <summary>
/// Auth:RateLimitPerMinute requests per minute (fixed window) per API key, or per client address for requests
/// without one; probes and scrapes are never limited. Refusals are 429 problem+json "overloaded" with Retry-After.
/// </summary>
public static class RateLimitSetup
{
    public static IServiceCollection AddServiceRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AuthOptions>>((options, auth) =>
        {
            var limit = auth.Value.RateLimitPerMinute;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                limit == 0 || IsInfrastructure(context.Request.Path)
                    ? RateLimitPartition.GetNoLimiter(string.Empty)
                    : RateLimitPartition.GetFixedWindowLimiter(Partition(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limit,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    }));
            options.OnRejected = RejectAsync;
        });
        return services;
    }

    private static bool IsInfrastructure(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/grpc.health.v1.Health");

    private static string Partition(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name! : "ip:" + context.Connection.RemoteIpAddress;

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : ApiProblems.DefaultRetryAfter;
        const string detail = "Rate limit exceeded (Auth:RateLimitPerMinute).";
        var context = rejected.HttpContext;
        if (GrpcStatusResponse.IsGrpc(context.Request))
            await GrpcStatusResponse.WriteAsync(context.Response, ApiProblems.Overloaded, detail);
        else
            await ApiProblems.Result(ApiProblems.Overloaded, detail, retryAfter: retryAfter).ExecuteAsync(context);
    }
}
