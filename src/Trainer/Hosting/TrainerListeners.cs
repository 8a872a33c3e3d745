using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EmbeddingService.Trainer.Hosting;

/// <summary>
/// The gRPC and HTTP listeners. Kestrel writes the bound address back into each listener, so the ports are the real
/// ones once the server has started, also when configured as 0.
/// </summary>
public sealed class TrainerListeners
{
    private ListenOptions? _grpc;
    private ListenOptions? _http;

    public int GrpcPort => Port(_grpc);
    public int HttpPort => Port(_http);

    internal void Set(ListenOptions grpc, ListenOptions http) => (_grpc, _http) = (grpc, http);

    private static int Port(ListenOptions? listen) =>
        listen?.IPEndPoint?.Port ?? throw new InvalidOperationException("the server has not been configured yet");
}
