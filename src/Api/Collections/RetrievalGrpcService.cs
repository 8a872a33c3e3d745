using System.Text.Json;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Problems;
using EmbeddingService.Retrieval;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Collections;

/// <summary>The Retrieval gRPC service: the collection operations of <see cref="RetrievalService"/>, as REST offers them.</summary>
public sealed class RetrievalGrpcService(RetrievalService service, IOptions<ServingOptions> servingOptions, RequestLogEnricher log) : V1.Retrieval.RetrievalBase
{
    private readonly ServingOptions _serving = servingOptions.Value;

    public override async Task<V1.Collection> CreateCollection(V1.CreateCollectionRequest request, ServerCallContext context)
    {
        var embedding = GrpcEmbedOptions.Parse(service.EmbeddingOptions, new V1.EmbedOptions { Pooling = request.Pooling, Policy = request.Policy, Resolution = request.Resolution });
        var index = request.Index switch
        {
            V1.IndexKind.Unspecified => (IndexKind?)null,
            V1.IndexKind.Auto => IndexKind.Auto,
            V1.IndexKind.Exact => IndexKind.Exact,
            V1.IndexKind.Hnsw => IndexKind.Hnsw,
            var unknown => throw new ApiRequestError(ApiProblems.InvalidArgument, $"index {(int)unknown} is not an IndexKind"),
        };
        var (info, _) = await service.CreateCollectionAsync(request.Name, embedding, index, context.CancellationToken);
        return ToMessage(info);
    }

    public override async Task<V1.Collection> GetCollection(V1.CollectionRef request, ServerCallContext context) =>
        ToMessage(await service.GetCollectionAsync(request.Name, context.CancellationToken));

    public override async Task<V1.ListCollectionsResponse> ListCollections(V1.ListCollectionsRequest request, ServerCallContext context)
    {
        var response = new V1.ListCollectionsResponse();
        response.Collections.AddRange((await service.ListCollectionsAsync(context.CancellationToken)).Select(ToMessage));
        return response;
    }

    public override async Task<V1.DeleteCollectionResponse> DeleteCollection(V1.CollectionRef request, ServerCallContext context)
    {
        await service.DeleteCollectionAsync(request.Name, context.CancellationToken);
        return new V1.DeleteCollectionResponse();
    }

    public override async Task<V1.UpsertResponse> Upsert(V1.UpsertRequest request, ServerCallContext context)
    {
        var points = request.Points.Select((p, i) => new PointInput(
            p.Id,
            p.SourceCase == V1.PointInput.SourceOneofCase.Image ? new EmbedInput(p.Image.Memory, p.Id) : null,
            p.SourceCase == V1.PointInput.SourceOneofCase.Vector ? p.Vector.Values.ToArray() : null,
            p.Payload is null ? null : GrpcValues.ToJson(p.Payload, $"point {i} ({p.Id}): payload", i))).ToArray();
        for (var i = 0; i < request.Points.Count; i++)
        {
            if (request.Points[i].SourceCase == V1.PointInput.SourceOneofCase.None)
                throw new ApiRequestError(ApiProblems.InvalidArgument, $"point {i} ({request.Points[i].Id}) has neither an image nor a vector", i);
        }
        var outcome = await service.UpsertAsync(request.Collection, points, GrpcDeadline.Of(context, _serving), context.CancellationToken);
        log.RecordRetrieval(outcome.Upserted, outcome.Images);
        return new V1.UpsertResponse { Upserted = outcome.Upserted, EmbedMs = outcome.EmbedMs, StoreMs = outcome.StoreMs };
    }

    public override async Task<V1.Point> GetPoint(V1.PointRef request, ServerCallContext context)
    {
        var point = await service.GetPointAsync(request.Collection, request.Id, context.CancellationToken);
        var message = new V1.Point { Id = point.Id, Vector = new V1.Vector(), Payload = ToStruct(point.Payload) };
        message.Vector.Values.AddRange(point.Vector);
        return message;
    }

    public override async Task<V1.DeletePointResponse> DeletePoint(V1.PointRef request, ServerCallContext context)
    {
        await service.DeletePointAsync(request.Collection, request.Id, context.CancellationToken);
        return new V1.DeletePointResponse();
    }

    public override async Task<V1.SearchResponse> Search(V1.SearchRequest request, ServerCallContext context)
    {
        var outcome = await SearchAsync(request.Collection, [request.Query ?? new V1.Query()], batch: false, context);
        var response = new V1.SearchResponse { EmbedMs = outcome.EmbedMs, StoreMs = outcome.SearchMs };
        response.Hits.AddRange(outcome.Results[0].Select(ToMessage));
        return response;
    }

    public override async Task<V1.SearchBatchResponse> SearchBatch(V1.SearchBatchRequest request, ServerCallContext context)
    {
        var outcome = await SearchAsync(request.Collection, request.Queries, batch: true, context);
        var response = new V1.SearchBatchResponse { EmbedMs = outcome.EmbedMs, StoreMs = outcome.SearchMs };
        foreach (var hits in outcome.Results)
        {
            var result = new V1.SearchResult();
            result.Hits.AddRange(hits.Select(ToMessage));
            response.Results.Add(result);
        }
        return response;
    }

    private async Task<SearchOutcome> SearchAsync(string collection, IReadOnlyList<V1.Query> queries, bool batch, ServerCallContext context)
    {
        var inputs = queries.Select((q, i) => ToInput(q, i, batch)).ToArray();
        var outcome = await service.SearchAsync(collection, inputs, batch, GrpcDeadline.Of(context, _serving), context.CancellationToken);
        log.RecordRetrieval(inputs.Length, outcome.Images);
        return outcome;
    }

    private QueryInput ToInput(V1.Query query, int index, bool batch)
    {
        var where = RetrievalService.SearchLabel(index, batch);
        int? problemIndex = batch ? index : null;
        var filter = query.Filter.Count == 0 ? null : new PayloadFilter(query.Filter.Select(f => new FieldCondition(f.Key, f.AnyOf.Select(v => GrpcValues.ToJson(v, $"{where}: filter \"{f.Key}\"", problemIndex)).ToArray())).ToArray());
        var k = query.K == 0 ? service.Options.DefaultK : query.K;
        float? threshold = query.HasScoreThreshold ? query.ScoreThreshold : null;
        return query.SourceCase switch
        {
            V1.Query.SourceOneofCase.Image => new QueryInput(new EmbedInput(query.Image.Memory, null), null, null, k, filter, threshold),
            V1.Query.SourceOneofCase.Vector => new QueryInput(null, query.Vector.Values.ToArray(), null, k, filter, threshold),
            V1.Query.SourceOneofCase.PointId => new QueryInput(null, null, query.PointId, k, filter, threshold),
            _ => throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where} has no image, vector or point_id", problemIndex),
        };
    }

    private static V1.Collection ToMessage(CollectionInfo info) => new()
    {
        Name = info.Name,
        Count = info.Count,
        Index = info.Index switch
        {
            IndexKind.Exact => V1.IndexKind.Exact,
            IndexKind.Hnsw => V1.IndexKind.Hnsw,
            _ => V1.IndexKind.Auto,
        },
        Created = Timestamp.FromDateTimeOffset(info.CreatedAt),
        Architecture = info.Model.Architecture,
        WeightsFingerprint = info.Model.WeightsFingerprint,
        Pooling = info.Model.Pooling,
        Policy = info.Model.ResolutionPolicy,
        Resolution = info.Model.Resolution,
        Dim = info.Model.Dimension,
        State = info.State switch
        {
            CollectionState.Corrupt => V1.CollectionState.Corrupt,
            CollectionState.Loading => V1.CollectionState.Loading,
            _ => V1.CollectionState.Ready,
        },
        Problem = info.Problem ?? "",
    };

    private static V1.Hit ToMessage(SearchHit hit) => new() { Id = hit.Id, Score = hit.Score, Payload = ToStruct(hit.Payload) };

    private static Struct? ToStruct(JsonElement? payload) => payload is { } p ? Struct.Parser.ParseJson(p.GetRawText()) : null;
}
