using EmbeddingService.Api.Problems;
using Grpc.AspNetCore.Server;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// Keeps gRPC services on the gRPC port and REST routes on the REST port: an endpoint reached through the other
/// port is treated as unmatched (404). Host-based routing cannot do this when the ports are ephemeral. A gRPC call
/// that matches no service on the gRPC port is answered UNIMPLEMENTED, as gRPC's own catch-all route would (which
/// is off: it hid the REST routes' 405s, see <see cref="ProblemSetup.AddServiceGrpc"/>).
/// </summary>
public static class PortSeparation
{
    public static WebApplication UsePortSeparation(this WebApplication app)
    {
        var endpoints = app.Services.GetRequiredService<ServingEndpoints>();
        app.Use((context, next) =>
        {
            var onGrpcPort = context.Connection.LocalPort == endpoints.GrpcPort;
            if (context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not null != onGrpcPort)
                context.SetEndpoint(null);
            if (onGrpcPort && context.GetEndpoint() is null && GrpcStatusResponse.IsGrpc(context.Request))
                return GrpcStatusResponse.WriteAsync(context.Response, ApiProblems.MethodNotAllowed, $"no service serves {context.Request.Path} here");
            return next(context);
        });
        return app;
    }
}
