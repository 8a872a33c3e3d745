using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// The REST and gRPC listeners. Kestrel writes the bound address back into each listener, so the ports are the
/// real ones once the server has started, also when configured as 0 (ephemeral).
/// </summary>
public sealed class ServingEndpoints
{
    private ListenOptions? _rest;
    private ListenOptions? _grpc;

    public int RestPort => Port(_rest);
    public int GrpcPort => Port(_grpc);

    internal void Set(ListenOptions rest, ListenOptions grpc) => (_rest, _grpc) = (rest, grpc);

    private static int Port(ListenOptions? listen) =>
        listen?.IPEndPoint?.Port ?? throw new InvalidOperationException("the server has not been configured yet");
}
