using EmbeddingService.Api.Problems;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>The one channel to the trainer worker: Training:Endpoint, or the local worker on 127.0.0.1:Training:LocalGrpcPort.</summary>
public sealed class TrainerConnection : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly bool _enabled;

    public TrainerConnection(IOptions<TrainingOptions> options)
    {
        var training = options.Value;
        _enabled = training.Enabled;
        IsLocal = string.IsNullOrWhiteSpace(training.Endpoint);
        Address = new Uri(IsLocal ? $"http://127.0.0.1:{training.LocalGrpcPort}" : training.Endpoint!);
        _channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        Client = new V1.Training.TrainingClient(_channel);
    }

    /// <summary>True when the API supervises the worker itself (no Training:Endpoint).</summary>
    public bool IsLocal { get; }

    public Uri Address { get; }

    public V1.Training.TrainingClient Client { get; }

    /// <summary>One unary call to the worker; a failure is thrown as the API's problem (<see cref="TrainerErrors"/>).</summary>
    public Task<T> CallAsync<T>(Func<V1.Training.TrainingClient, CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellation)
    {
        EnsureEnabled();
        return TrainerErrors.Call(() => call(Client, new CallOptions(cancellationToken: cancellation)).ResponseAsync);
    }

    /// <summary>Refuses calls when Training:Enabled is false.</summary>
    public void EnsureEnabled()
    {
        if (!_enabled) throw new ApiRequestError(ApiProblems.TrainerUnavailable, "training is turned off on this service (Training:Enabled=false)");
    }

    public void Dispose() => _channel.Dispose();
}
