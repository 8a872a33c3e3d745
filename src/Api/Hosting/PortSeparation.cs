using Grpc.AspNetCore.Server;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// Keeps gRPC services on the gRPC port and REST routes on the REST port: an endpoint reached through the other
/// port is treated as unmatched (404). Host-based routing cannot do this when the ports are ephemeral.
/// </summary>
public static class PortSeparation
{
    public static WebApplication UsePortSeparation(this WebApplication app)
    {
        var endpoints = app.Services.GetRequiredService<ServingEndpoints>();
        app.Use((context, next) =>
        {
            if (context.GetEndpoint() is { } endpoint
                && endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not null != (context.Connection.LocalPort == endpoints.GrpcPort))
                context.SetEndpoint(null);
            return next(context);
        });
        return app;
    }
}
