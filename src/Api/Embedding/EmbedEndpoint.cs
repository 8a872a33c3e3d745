using System.Diagnostics;
using System.Globalization;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Hosting.OpenApi;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Problems;
using EmbeddingService.Engine.IO;
using EmbeddingService.Engine.Inference;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Embedding;

/// <summary>POST /v1/embed: images in (raw, multipart or JSON base64), embeddings out (JSON or .npy).</summary>
public static class EmbedEndpoint
{
    public const string NpyMediaType = "application/x-npy";

    /// <summary>What the route answers with, JSON (the default) first.</summary>
    public static readonly string[] ResponseTypes = ["application/json", NpyMediaType];

    public static RouteHandlerBuilder MapEmbedEndpoint(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/v1/embed", HandleAsync).DisableAntiforgery()
            .WithName("Embed")
            .WithTags(ServiceDocument.Embedding)
            .WithSummary("Embed images")
            .WithDescription("Images in as a raw body (image/* or application/octet-stream), multipart file parts, or JSON with base64 images; options in the query " +
                             "(pooling, normalize, policy, resolution, patch_features) or the JSON's \"options\". Embeddings out as JSON, " +
                             "or as one float32 .npy of the pooled embeddings when Accept prefers application/x-npy (q-values honoured; no Accept or */* is JSON). " +
                             "A request is all or nothing: a bad image fails it, naming its index.")
            .Produces<EmbedResponse>()
            .ProducesProblems(ApiProblems.InvalidArgument, ApiProblems.UnsupportedMediaType, ApiProblems.NotAcceptable, ApiProblems.PatchFeaturesNeedJson,
                ApiProblems.ImageDecodeFailed, ApiProblems.ImageTooLarge, ApiProblems.PayloadTooLarge, ApiProblems.TooManyImages, ApiProblems.RequestTooLarge, ApiProblems.DeadlineExceeded, ApiProblems.NotReady)
            .AddOpenApiOperationTransformer(RequestDocs.Embed);

    private static async Task<IResult> HandleAsync(HttpContext context, EmbeddingRuntime runtime, IOptions<ServingOptions> serving, RequestLogEnricher log)
    {
        var started = Stopwatch.GetTimestamp();
        var aborted = context.RequestAborted;
        var reader = runtime.Reader;
        var deadline = RequestDeadline.Of(context.Request, serving.Value);
        var npy = ContentNegotiation.Choose(context.Request, ResponseTypes) == NpyMediaType;
        var (inputs, options, listed) = await reader.ReadAsync(context.Request, aborted);
        if (npy && options.PatchFeatures)
            throw new ApiRequestError(ApiProblems.PatchFeaturesNeedJson,
                $"the {NpyMediaType} answer holds the pooled embeddings only ([images, dim]); for patch_features=true ask for application/json");
        var read = Stopwatch.GetElapsedTime(started);
        var result = await runtime.EmbedAsync(inputs, options, deadline, aborted);
        if (!result.Succeeded)
        {
            // One raw image is no list: its errors name no input.
            var failure = listed ? result.Failure : result.Failure.WithIndex(null);
            return ApiProblems.Result(failure.Code, failure.Message, failure.Index);
        }
        log.Record(result.Items.Count, result.Tokens, result.QueueMs, result.InferenceMs);
        context.Response.Headers[ServerTiming.Header] = ServerTiming.Format(read.TotalMilliseconds, result, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return npy ? new NpyEmbeddingsResult(result.Model, result.Items) : Results.Json(EmbedResponse.From(result, options));
    }

    /// <summary>All embeddings as one float32 [N, dim] .npy.</summary>
    private sealed class NpyEmbeddingsResult(ModelDescriptor model, IReadOnlyList<Embedded> items) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var vectors = items.Select(i => i.Embedding.Vector).ToArray();
            var dim = vectors[0].Length;
            using var buffer = new MemoryStream();
            Npy.Write(buffer, [vectors.Length, dim], vectors.SelectMany(v => v).ToArray());
            httpContext.Response.ContentType = NpyMediaType;
            httpContext.Response.Headers["X-Model"] = model.DisplayName;
            httpContext.Response.Headers["X-Random-Weights"] = model.IsRandom ? "true" : "false";
            httpContext.Response.ContentLength = buffer.Length;
            buffer.Position = 0;
            await buffer.CopyToAsync(httpContext.Response.Body, httpContext.RequestAborted);
        }
    }
}
