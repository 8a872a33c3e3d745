using System.Globalization;
using EmbeddingService.Api.Hosting;
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

    public static RouteHandlerBuilder MapEmbedEndpoint(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/v1/embed", HandleAsync).DisableAntiforgery()
            .WithName("Embed")
            .WithTags("Embedding")
            .WithSummary("Embeds images: a raw image body (image/*), multipart image parts, or JSON {\"inputs\":[{\"image\":\"<base64>\",\"id\"}],\"options\":{...}}; options also in the query (pooling, normalize, policy, resolution, patch_features). JSON out, or float32 .npy with Accept: application/x-npy.")
            .Produces<EmbedResponse>()
            .Produces(StatusCodes.Status200OK, contentType: NpyMediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

    private static async Task<IResult> HandleAsync(HttpContext context, EmbeddingRuntime runtime, IOptions<ServingOptions> serving, RequestLogEnricher log)
    {
        var aborted = context.RequestAborted;
        var reader = runtime.Reader;
        var deadline = RequestDeadline.Of(context.Request, serving.Value);
        var (inputs, options) = await reader.ReadAsync(context.Request, aborted);
        var result = await runtime.EmbedAsync(inputs, options, deadline, aborted);
        if (!result.Succeeded)
            return ApiProblems.Result(result.Failure.Code, result.Failure.Message, inputs.Count > 1 ? result.Failure.Index : null);
        log.Record(result.Items.Count, result.Tokens, result.QueueMs, result.InferenceMs);
        return WantsNpy(context.Request) ? new NpyEmbeddingsResult(result.Model, result.Items) : Results.Json(EmbedResponse.From(result, options));
    }

    private static bool WantsNpy(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains(NpyMediaType, StringComparison.OrdinalIgnoreCase));

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
