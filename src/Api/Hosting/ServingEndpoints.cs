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

    /// <summary>
    /// The one-line refusal for Kestrel's "Failed to bind to address {listener}: address already in use", naming the
    /// setting of that listener; null when it names neither.
    /// </summary>
    internal string? PortInUse(IOException bindFailure) =>
        new[] { (Listener: _rest, Property: nameof(ServingOptions.RestPort)), (Listener: _grpc, Property: nameof(ServingOptions.GrpcPort)) }
            .Where(l => l.Listener is not null && bindFailure.Message.Contains($"{l.Listener}:", StringComparison.Ordinal))
            .Select(l => $"{ServingOptions.Section}:{l.Property}: port {l.Listener!.IPEndPoint?.Port} is already in use on {l.Listener.IPEndPoint?.Address} (another process listens on it); stop that process or choose another port")
            .FirstOrDefault();

    private static int Port(ListenOptions? listen) =>
        listen?.IPEndPoint?.Port ?? throw new InvalidOperationException("the server has not been configured yet");
}
