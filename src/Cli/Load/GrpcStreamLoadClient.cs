using System.Collections.Concurrent;
using EmbeddingService.Protos.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace EmbeddingService.Cli.Load;

/// <summary>One bidirectional EmbedStream shared by all requests; answers are matched to requests by id.</summary>
public sealed class GrpcStreamLoadClient : ILoadClient
{
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<EmbedStreamRequest, EmbedStreamResponse> _call;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<EmbedStreamResponse>> _waiting = new();
    private readonly SemaphoreSlim _writeLock = new(1);
    private readonly Task _reader;
    private readonly EmbedOptions _options;

    public GrpcStreamLoadClient(Uri address, string? apiKey, EmbedOptions options)
    {
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        var headers = new Metadata();
        if (apiKey is not null) headers.Add("authorization", $"Bearer {apiKey}");
        _call = new Embedding.EmbeddingClient(_channel).EmbedStream(headers);
        _options = options;
        _reader = Task.Run(ReadAsync);
    }

    public async Task<(string? Error, float[]? Embedding)> EmbedAsync(int index, byte[] image, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var answer = new TaskCompletionSource<EmbedStreamResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _call.RequestStream.WriteAsync(new EmbedStreamRequest { Id = id, Image = ByteString.CopyFrom(image), Options = _options }, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
        var response = await answer.Task.WaitAsync(cancellationToken);
        return response.ResultCase == EmbedStreamResponse.ResultOneofCase.Error ? (response.Error.Code, null) : (null, response.Embedding.Vector.ToArray());
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var response in _call.ResponseStream.ReadAllAsync())
                if (_waiting.TryRemove(response.Id, out var answer)) answer.TrySetResult(response);
        }
        catch (RpcException e)
        {
            foreach (var answer in _waiting.Values) answer.TrySetException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _call.RequestStream.CompleteAsync();
        await _reader;
        _call.Dispose();
        _channel.Dispose();
    }
}
