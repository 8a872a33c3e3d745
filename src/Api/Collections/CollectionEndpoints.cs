using System.Text.Json;
using System.Text.Json.Serialization;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Hosting.OpenApi;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Problems;
using EmbeddingService.Retrieval;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Collections;

/// <summary>REST /v1/collections: collections bound to the served model, their points, and nearest-neighbour search.</summary>
public static class CollectionEndpoints
{
    public static IEndpointRouteBuilder MapCollectionEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/collections").DisableAntiforgery().WithTags(ServiceDocument.Collections)
            .ProducesProblems(ApiProblems.InvalidArgument, ApiProblems.NotReady, ApiProblems.StoreUnavailable);
        group.MapGet("", ListAsync).WithName("ListCollections").WithSummary("List collections")
            .WithDescription("Every collection: name, point count, index, creation time, the model that made its vectors, and its state (ready, or corrupt with the problem).")
            .Produces<CollectionList>();
        group.MapPut("/{name}", CreateAsync).WithName("CreateCollection").WithSummary("Create a collection")
            .WithDescription("Creates a collection bound to the served model and the given preprocessing and index; the same call again is a no-op (200), other settings for an existing name 409.")
            .Produces<CollectionResource>(StatusCodes.Status201Created).Produces<CollectionResource>()
            .ProducesProblems(ApiProblems.UnsupportedMediaType, ApiProblems.PayloadTooLarge, ApiProblems.CollectionExists)
            .AddOpenApiOperationTransformer(RequestDocs.CreateCollection);
        group.MapGet("/{name}", GetAsync).WithName("GetCollection").WithSummary("Get a collection").Produces<CollectionResource>()
            .ProducesProblems(ApiProblems.CollectionNotFound, ApiProblems.StoreCorrupt).AddOpenApiOperationTransformer(RequestDocs.CollectionPath);
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteCollection").WithSummary("Delete a collection")
            .WithDescription("Deletes a collection and its points; also the way to reset a corrupt one.").Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(ApiProblems.CollectionNotFound).AddOpenApiOperationTransformer(RequestDocs.CollectionPath);
        group.MapPost("/{name}/points", UpsertAsync).WithName("UpsertPoints").WithSummary("Insert or replace points")
            .WithDescription("Points from images (embedded as the collection was configured), vectors or base64 vectors, with optional payloads; replaced by id. " +
                             "All or nothing: a bad point fails the request with its index and nothing is written; an acknowledged upsert is durable.")
            .Produces<UpsertResponse>()
            .ProducesProblems(ApiProblems.UnsupportedMediaType, ApiProblems.PayloadTooLarge, ApiProblems.TooManyImages, ApiProblems.TooManyPoints,
                ApiProblems.ImageDecodeFailed, ApiProblems.ImageTooLarge, ApiProblems.RequestTooLarge, ApiProblems.CollectionNotFound, ApiProblems.ModelMismatch,
                ApiProblems.DimensionMismatch, ApiProblems.DeadlineExceeded, ApiProblems.StoreCorrupt)
            .AddOpenApiOperationTransformer(RequestDocs.UpsertPoints);
        group.MapGet("/{name}/points/{id}", GetPointAsync).WithName("GetPoint").WithSummary("Get a point").WithDescription("A point's unit vector and payload.")
            .Produces<PointResponse>().ProducesProblems(ApiProblems.CollectionNotFound, ApiProblems.PointNotFound, ApiProblems.StoreCorrupt)
            .AddOpenApiOperationTransformer(RequestDocs.CollectionPath);
        group.MapDelete("/{name}/points/{id}", DeletePointAsync).WithName("DeletePoint").WithSummary("Delete a point").Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(ApiProblems.CollectionNotFound, ApiProblems.PointNotFound, ApiProblems.StoreCorrupt).AddOpenApiOperationTransformer(RequestDocs.CollectionPath);
        group.MapPost("/{name}/search", (string name, HttpContext context, RetrievalService service, RetrievalRequestReader reader, IOptions<ServingOptions> serving, RequestLogEnricher log) =>
                SearchAsync(name, batch: false, context, service, reader, serving.Value, log))
            .WithName("Search").WithSummary("Search")
            .WithDescription("The nearest neighbours of an image (JSON base64 or a raw image body), a vector or a stored point, best first, with k, a payload filter and a score threshold.")
            .Produces<SearchResponse>()
            .ProducesProblems(ApiProblems.UnsupportedMediaType, ApiProblems.PayloadTooLarge, ApiProblems.ImageDecodeFailed, ApiProblems.ImageTooLarge, ApiProblems.RequestTooLarge,
                ApiProblems.CollectionNotFound, ApiProblems.PointNotFound, ApiProblems.ModelMismatch, ApiProblems.DimensionMismatch, ApiProblems.DeadlineExceeded, ApiProblems.StoreCorrupt)
            .AddOpenApiOperationTransformer(RequestDocs.Search);
        group.MapPost("/{name}/search/batch", (string name, HttpContext context, RetrievalService service, RetrievalRequestReader reader, IOptions<ServingOptions> serving, RequestLogEnricher log) =>
                SearchAsync(name, batch: true, context, service, reader, serving.Value, log))
            .WithName("BatchSearch").WithSummary("Search several queries")
            .WithDescription("Several searches in one call, answered in order; an error names the search's index.")
            .Produces<BatchSearchResponse>()
            .ProducesProblems(ApiProblems.UnsupportedMediaType, ApiProblems.PayloadTooLarge, ApiProblems.TooManySearches, ApiProblems.TooManyImages, ApiProblems.ImageDecodeFailed,
                ApiProblems.ImageTooLarge, ApiProblems.RequestTooLarge, ApiProblems.CollectionNotFound, ApiProblems.PointNotFound, ApiProblems.ModelMismatch,
                ApiProblems.DimensionMismatch, ApiProblems.DeadlineExceeded, ApiProblems.StoreCorrupt)
            .AddOpenApiOperationTransformer(RequestDocs.BatchSearch);
        return routes;
    }

    public sealed record CollectionList(IReadOnlyList<CollectionResource> Collections);

    public sealed record UpsertResponse(int Upserted, Timings Timings);

    public sealed record PointResponse(string Id, float[] Vector, JsonElement? Payload);

    public sealed record HitResponse(string Id, float Score, JsonElement? Payload);

    public sealed record SearchResponse(IReadOnlyList<HitResponse> Hits, Timings Timings);

    public sealed record SearchResult(IReadOnlyList<HitResponse> Hits);

    public sealed record BatchSearchResponse(IReadOnlyList<SearchResult> Results, Timings Timings);

    public sealed record Timings(
        [property: JsonPropertyName("embed_ms")] double EmbedMs,
        [property: JsonPropertyName("store_ms")] double StoreMs);

    private static async Task<IResult> ListAsync(HttpContext context, RetrievalService service) =>
        Results.Json(new CollectionList((await service.ListCollectionsAsync(context.RequestAborted)).Select(CollectionResource.Of).ToArray()));

    private static async Task<IResult> CreateAsync(string name, HttpContext context, RetrievalService service, RetrievalRequestReader reader)
    {
        var (embedding, index) = await reader.ReadCollectionAsync(context.Request, service.EmbeddingOptions, context.RequestAborted);
        var (info, created) = await service.CreateCollectionAsync(name, embedding, index, context.RequestAborted);
        var body = CollectionResource.Of(info);
        return created ? Results.Created($"/v1/collections/{Uri.EscapeDataString(name)}", body) : Results.Json(body);
    }

    private static async Task<IResult> GetAsync(string name, HttpContext context, RetrievalService service) =>
        Results.Json(CollectionResource.Of(await service.GetCollectionAsync(name, context.RequestAborted)));

    private static async Task<IResult> DeleteAsync(string name, HttpContext context, RetrievalService service)
    {
        await service.DeleteCollectionAsync(name, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> UpsertAsync(string name, HttpContext context, RetrievalService service, RetrievalRequestReader reader, IOptions<ServingOptions> serving, RequestLogEnricher log)
    {
        var deadline = RequestDeadline.Of(context.Request, serving.Value);
        var points = await reader.ReadPointsAsync(context.Request, context.RequestAborted);
        var outcome = await service.UpsertAsync(name, points, deadline, context.RequestAborted);
        log.RecordRetrieval(outcome.Upserted, outcome.Images);
        return Results.Json(new UpsertResponse(outcome.Upserted, new Timings(outcome.EmbedMs, outcome.StoreMs)));
    }

    private static async Task<IResult> GetPointAsync(string name, string id, HttpContext context, RetrievalService service)
    {
        var point = await service.GetPointAsync(name, id, context.RequestAborted);
        return Results.Json(new PointResponse(point.Id, point.Vector, point.Payload));
    }

    private static async Task<IResult> DeletePointAsync(string name, string id, HttpContext context, RetrievalService service)
    {
        await service.DeletePointAsync(name, id, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> SearchAsync(string name, bool batch, HttpContext context, RetrievalService service, RetrievalRequestReader reader, ServingOptions serving, RequestLogEnricher log)
    {
        var deadline = RequestDeadline.Of(context.Request, serving);
        var queries = await reader.ReadSearchAsync(context.Request, batch, context.RequestAborted);
        var outcome = await service.SearchAsync(name, queries, batch, deadline, context.RequestAborted);
        log.RecordRetrieval(queries.Count, outcome.Images);
        var timings = new Timings(outcome.EmbedMs, outcome.SearchMs);
        var results = outcome.Results.Select(hits => hits.Select(h => new HitResponse(h.Id, h.Score, h.Payload)).ToArray()).ToArray();
        return batch
            ? Results.Json(new BatchSearchResponse(results.Select(r => new SearchResult(r)).ToArray(), timings))
            : Results.Json(new SearchResponse(results[0], timings));
    }
}
