using System.Text.Json;
using EmbeddingService.Api.Retrieval;
using PointSource = EmbeddingService.Api.Retrieval.PointInput;
using EmbeddingService.Api.Serving;
using EmbeddingService.Retrieval;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Grpc;

/// <summary>The Retrieval gRPC service: the collection operations of <see cref="RetrievalService"/>, as REST offers them.</summary>
public sealed class RetrievalGrpcService(RetrievalService service, IOptions<ServingOptions> servingOptions, RequestLogEnricher log) : global::EmbeddingService.Api.Grpc.Retrieval.RetrievalBase
{
    private readonly ServingOptions _serving = servingOptions.Value;

    public override Task<Collection> CreateCollection(CreateCollectionRequest request, ServerCallContext context) => Handle(async () =>
    {
        var embedding = GrpcEmbedOptions.Parse(service.EmbeddingOptions, new EmbedOptions { Pooling = request.Pooling, Policy = request.Policy, Resolution = request.Resolution });
        var index = request.Index switch
        {
            IndexKind.Exact => global::EmbeddingService.Retrieval.IndexKind.Exact,
            IndexKind.Hnsw => global::EmbeddingService.Retrieval.IndexKind.Hnsw,
            _ => global::EmbeddingService.Retrieval.IndexKind.Auto,
        };
        var (info, _) = await service.CreateCollectionAsync(request.Name, embedding, index, context.CancellationToken);
        return ToMessage(info);
    });

    public override Task<Collection> GetCollection(CollectionRef request, ServerCallContext context) => Handle(async () =>
        ToMessage(await service.GetCollectionAsync(request.Name, context.CancellationToken)));

    public override Task<ListCollectionsResponse> ListCollections(ListCollectionsRequest request, ServerCallContext context) => Handle(async () =>
    {
        var response = new ListCollectionsResponse();
        response.Collections.AddRange((await service.ListCollectionsAsync(context.CancellationToken)).Select(ToMessage));
        return response;
    });

    public override Task<DeleteCollectionResponse> DeleteCollection(CollectionRef request, ServerCallContext context) => Handle(async () =>
    {
        await service.DeleteCollectionAsync(request.Name, context.CancellationToken);
        return new DeleteCollectionResponse();
    });

    public override Task<UpsertResponse> Upsert(UpsertRequest request, ServerCallContext context) => Handle(async () =>
    {
        var points = request.Points.Select(p => new PointSource(
            p.Id,
            p.SourceCase == PointInput.SourceOneofCase.Image ? new EmbedInput(p.Image.Memory, p.Id) : null,
            p.SourceCase == PointInput.SourceOneofCase.Vector ? p.Vector.Values.ToArray() : null,
            p.Payload is null ? null : ToJson(p.Payload))).ToArray();
        for (var i = 0; i < request.Points.Count; i++)
        {
            if (request.Points[i].SourceCase == PointInput.SourceOneofCase.None)
                throw new ApiRequestError(ApiProblems.InvalidArgument, $"point {i} ({request.Points[i].Id}) has neither an image nor a vector", i);
        }
        var outcome = await service.UpsertAsync(request.Collection, points, GrpcDeadline.Of(context, _serving), context.CancellationToken);
        log.RecordRetrieval(outcome.Upserted, outcome.Images);
        return new UpsertResponse { Upserted = outcome.Upserted, EmbedMs = outcome.EmbedMs, StoreMs = outcome.StoreMs };
    });

    public override Task<Point> GetPoint(PointRef request, ServerCallContext context) => Handle(async () =>
    {
        var point = await service.GetPointAsync(request.Collection, request.Id, context.CancellationToken);
        var message = new Point { Id = point.Id, Vector = new Vector(), Payload = ToStruct(point.Payload) };
        message.Vector.Values.AddRange(point.Vector);
        return message;
    });

    public override Task<DeletePointResponse> DeletePoint(PointRef request, ServerCallContext context) => Handle(async () =>
    {
        await service.DeletePointAsync(request.Collection, request.Id, context.CancellationToken);
        return new DeletePointResponse();
    });

    public override Task<SearchResponse> Search(SearchRequest request, ServerCallContext context) => Handle(async () =>
    {
        var outcome = await SearchAsync(request.Collection, [request.Query ?? new Query()], context);
        var response = new SearchResponse { EmbedMs = outcome.EmbedMs, StoreMs = outcome.SearchMs };
        response.Hits.AddRange(outcome.Results[0].Select(ToMessage));
        return response;
    });

    public override Task<SearchBatchResponse> SearchBatch(SearchBatchRequest request, ServerCallContext context) => Handle(async () =>
    {
        var outcome = await SearchAsync(request.Collection, request.Queries, context);
        var response = new SearchBatchResponse { EmbedMs = outcome.EmbedMs, StoreMs = outcome.SearchMs };
        foreach (var hits in outcome.Results)
        {
            var result = new SearchResult();
            result.Hits.AddRange(hits.Select(ToMessage));
            response.Results.Add(result);
        }
        return response;
    });

    private async Task<SearchOutcome> SearchAsync(string collection, IReadOnlyList<Query> queries, ServerCallContext context)
    {
        var inputs = queries.Select((q, i) => ToInput(q, i, queries.Count)).ToArray();
        var outcome = await service.SearchAsync(collection, inputs, GrpcDeadline.Of(context, _serving), context.CancellationToken);
        log.RecordRetrieval(inputs.Length, outcome.Images);
        return outcome;
    }

    private QueryInput ToInput(Query query, int index, int count)
    {
        var filter = query.Filter.Count == 0 ? null : new PayloadFilter(query.Filter.Select(f => new FieldCondition(f.Key, f.AnyOf.Select(ToJson).ToArray())).ToArray());
        var k = query.K == 0 ? service.Options.DefaultK : query.K;
        float? threshold = query.HasScoreThreshold ? query.ScoreThreshold : null;
        return query.SourceCase switch
        {
            Query.SourceOneofCase.Image => new QueryInput(new EmbedInput(query.Image.Memory, null), null, null, k, filter, threshold),
            Query.SourceOneofCase.Vector => new QueryInput(null, query.Vector.Values.ToArray(), null, k, filter, threshold),
            Query.SourceOneofCase.PointId => new QueryInput(null, null, query.PointId, k, filter, threshold),
            _ => throw new ApiRequestError(ApiProblems.InvalidArgument, $"search {index} has no image, vector or point_id", count > 1 ? index : null),
        };
    }

    private static Collection ToMessage(CollectionInfo info) => new()
    {
        Name = info.Name,
        Count = info.Count,
        Index = info.Index switch
        {
            global::EmbeddingService.Retrieval.IndexKind.Exact => IndexKind.Exact,
            global::EmbeddingService.Retrieval.IndexKind.Hnsw => IndexKind.Hnsw,
            _ => IndexKind.Auto,
        },
        Created = Timestamp.FromDateTimeOffset(info.CreatedAt),
        Architecture = info.Model.Architecture,
        WeightsFingerprint = info.Model.WeightsFingerprint,
        Pooling = info.Model.Pooling,
        Policy = info.Model.ResolutionPolicy,
        Resolution = info.Model.Resolution,
        Dim = info.Model.Dimension,
    };

    private static Hit ToMessage(SearchHit hit) => new() { Id = hit.Id, Score = hit.Score, Payload = ToStruct(hit.Payload) };

    private static JsonElement ToJson(IMessage message) => JsonDocument.Parse(JsonFormatter.Default.Format(message)).RootElement;

    private static Struct? ToStruct(JsonElement? payload) => payload is { } p ? Struct.Parser.ParseJson(p.GetRawText()) : null;

    private static async Task<T> Handle<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ApiRequestError e)
        {
            throw GrpcProblems.Exception(e.Code, e.Message);
        }
    }
}
