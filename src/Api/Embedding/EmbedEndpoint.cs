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
        routes.MapPost("/v1/embed", HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(HttpContext context, EmbeddingRuntime runtime, IOptions<ServingOptions> serving, RequestLogEnricher log)
    {
        if (runtime.Current is not { } ready)
            return ApiProblems.Result(ApiProblems.NotReady, "the model is still loading or the service is shutting down");
        var aborted = context.RequestAborted;
        var deadline = RequestDeadline.Of(context.Request, serving.Value);
        var (inputs, options) = await ready.Reader.ReadAsync(context.Request, aborted);
        var outcomes = await ready.Pipeline.EmbedAllAsync(inputs, options, deadline, aborted);
        var summary = EmbedSummary.Of(outcomes);
        if (summary.Failed is { } failed)
            return ApiProblems.Result(failed.Failure!.Code, failed.Failure.Message, inputs.Count > 1 ? failed.Index : null);
        log.Record(summary.Images, summary.Tokens, summary.QueueMs, summary.InferenceMs);
        return WantsNpy(context.Request)
            ? new NpyEmbeddingsResult(ready.Model.Descriptor, outcomes)
            : Results.Json(EmbedResponse.From(ready.Model.Descriptor, options, outcomes, summary));
    }

    private static bool WantsNpy(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains(NpyMediaType, StringComparison.OrdinalIgnoreCase));

    /// <summary>All embeddings as one float32 [N, dim] .npy.</summary>
    private sealed class NpyEmbeddingsResult(ModelDescriptor model, IReadOnlyList<EmbedOutcome> outcomes) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var vectors = outcomes.Select(o => o.Result!.Embedding.Vector).ToArray();
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
