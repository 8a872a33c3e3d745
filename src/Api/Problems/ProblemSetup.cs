using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Observability;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Problems;

/// <summary>RFC 7807 bodies for every error: handler results, framework status codes and unhandled exceptions.</summary>
public static class ProblemSetup
{
    public static IServiceCollection AddServiceProblemDetails(this IServiceCollection services) => services
        .AddSingleton<ClientAborts>()
        .AddExceptionHandler<ProblemExceptionHandler>()
        .AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", ApiProblems.CodeFor(status));
            if (status == StatusCodes.Status405MethodNotAllowed && context.ProblemDetails.Detail is null)
            {
                var request = context.HttpContext.Request;
                context.ProblemDetails.Detail = $"{request.Method} is not allowed on {request.Path}; it allows {context.HttpContext.Response.Headers.Allow}";
            }
        });

    /// <summary>
    /// gRPC services with the gRPC end of the same error path. A message may be as large as a REST body
    /// (Serving:MaxBodyBytes): gRPC's own 4 MB default refused a single ordinary photo. Unknown services are not
    /// routed by gRPC: its catch-all route for them ({service}/{method}, any HTTP method) also matched every two-segment
    /// REST path, so GET /v1/embed was a 404 instead of the router's 405; <see cref="PortSeparation"/> answers them.
    /// </summary>
    public static IServiceCollection AddServiceGrpc(this IServiceCollection services)
    {
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<ProblemInterceptor>();
            options.IgnoreUnknownServices = true;
        });
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<ServingOptions>>((grpc, serving) =>
            grpc.MaxReceiveMessageSize = (int)Math.Min(serving.Value.MaxBodyBytes, int.MaxValue));
        return services;
    }

    /// <summary>
    /// Known failures become their problem (<see cref="ProblemExceptionHandler"/>), others a bare 500 with a trace id
    /// (logged, never sent); empty error responses get a body. A caller that went away is no error of the service:
    /// it is counted and logged as an abort (499, or 408 for a body sent too slowly) before the exception handler sees it.
    /// </summary>
    public static WebApplication UseServiceErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var aborts = app.Services.GetRequiredService<ClientAborts>();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (ClientAborts.IsAbort(e, context.RequestAborted))
            {
                aborts.Record(ClientAborts.Rest, $"{context.Request.Method} {context.Request.Path}", e);
                if (context.Response.HasStarted) return;
                // A body sent too slowly (Serving:MinRequestBodyBytesPerSecond) leaves a client that may still read: it
                // gets Kestrel's own answer, a bare 408, and the connection closes. A client that is gone gets nothing.
                context.Response.StatusCode = e is BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout }
                    ? StatusCodes.Status408RequestTimeout
                    : StatusCodes.Status499ClientClosedRequest;
                if (context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            }
        });
        return app;
    }
}
