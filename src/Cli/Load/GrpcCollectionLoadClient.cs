using EmbeddingService.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace EmbeddingService.Cli.Load;

/// <summary>load-collections over the Retrieval gRPC service (packed float vectors).</summary>
public sealed class GrpcCollectionLoadClient(Uri address, string? apiKey) : ICollectionLoadClient
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
    private readonly Metadata _headers = apiKey is null ? [] : new Metadata { { "x-api-key", apiKey } };

    private Protos.V1.Retrieval.RetrievalClient Client => new(_channel);

    public async Task<int> CreateAsync(string name, string index, CancellationToken cancellationToken)
    {
        var kind = index switch { "exact" => IndexKind.Exact, "hnsw" => IndexKind.Hnsw, _ => IndexKind.Auto };
        var collection = await Client.CreateCollectionAsync(new CreateCollectionRequest { Name = name, Index = kind }, _headers, cancellationToken: cancellationToken);
        return collection.Dim;
    }

    public Func<CancellationToken, Task> PrepareUpsert(string name, IReadOnlyList<(string Id, float[] Vector, int Group)> points)
    {
        var request = new UpsertRequest { Collection = name };
        foreach (var (id, vector, group) in points)
        {
            var point = new PointInput { Id = id, Vector = new Vector(), Payload = new Struct { Fields = { ["group"] = Value.ForNumber(group) } } };
            point.Vector.Values.AddRange(vector);
            request.Points.Add(point);
        }
        return async cancellationToken => await Client.UpsertAsync(request, _headers, cancellationToken: cancellationToken);
    }

    public async Task<double> SearchAsync(string name, float[] vector, int k, CancellationToken cancellationToken)
    {
        var query = new Query { Vector = new Vector(), K = k };
        query.Vector.Values.AddRange(vector);
        var response = await Client.SearchAsync(new SearchRequest { Collection = name, Query = query }, _headers, cancellationToken: cancellationToken);
        return response.StoreMs;
    }

    public async Task DeleteAsync(string name) => await Client.DeleteCollectionAsync(new CollectionRef { Name = name }, _headers);

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }
}
