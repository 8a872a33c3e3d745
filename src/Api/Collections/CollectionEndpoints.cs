using System.Text.Json;
using System.Text.Json.Serialization;
using EmbeddingService.Api.Hosting;
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
        var group = routes.MapGroup("/v1/collections").DisableAntiforgery().WithTags("Collections")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("", ListAsync).WithSummary("Every collection: name, point count, index, creation time and the model that made its vectors.")
            .Produces<CollectionList>();
        group.MapPut("/{name}", CreateAsync).WithSummary("Creates a collection bound to the served model (optional JSON: pooling, policy, resolution, index); the same call again is a no-op.")
            .Produces<CollectionResource>(StatusCodes.Status201Created).Produces<CollectionResource>().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{name}", GetAsync).WithSummary("One collection.").Produces<CollectionResource>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{name}", DeleteAsync).WithSummary("Deletes a collection and its points.").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/points", UpsertAsync)
            .WithSummary("Inserts or replaces points, all or nothing: {\"points\":[{\"id\",\"image\" (base64) | \"vector\" | \"vector_base64\",\"payload\"}]} or multipart images.")
            .Produces<UpsertResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{name}/points/{id}", GetPointAsync).WithSummary("A point's unit vector and payload.").Produces<PointResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{name}/points/{id}", DeletePointAsync).WithSummary("Deletes a point.").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/search", (string name, HttpContext context, RetrievalService service, RetrievalRequestReader reader, IOptions<ServingOptions> serving, RequestLogEnricher log) =>
                SearchAsync(name, batch: false, context, service, reader, serving.Value, log))
            .WithSummary("Nearest neighbours of an image (JSON base64 or raw body), a vector or a stored point's id; k, filter, score_threshold.")
            .Produces<SearchResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{name}/search/batch", (string name, HttpContext context, RetrievalService service, RetrievalRequestReader reader, IOptions<ServingOptions> serving, RequestLogEnricher log) =>
                SearchAsync(name, batch: true, context, service, reader, serving.Value, log))
            .WithSummary("Several searches in one call: {\"searches\":[...]}, answered in order.")
            .Produces<BatchSearchResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
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
        var outcome = await service.SearchAsync(name, queries, deadline, context.RequestAborted);
        log.RecordRetrieval(queries.Count, outcome.Images);
        var timings = new Timings(outcome.EmbedMs, outcome.SearchMs);
        var results = outcome.Results.Select(hits => hits.Select(h => new HitResponse(h.Id, h.Score, h.Payload)).ToArray()).ToArray();
        return batch
            ? Results.Json(new BatchSearchResponse(results.Select(r => new SearchResult(r)).ToArray(), timings))
            : Results.Json(new SearchResponse(results[0], timings));
    }
}
