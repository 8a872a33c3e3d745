using System.Text.Json.Nodes;
using EmbeddingService.Api.Problems;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmbeddingService.Api.Hosting.OpenApi;

/// <summary>The problem codes a route can answer with (route metadata, read by <see cref="ProblemResponses"/>).</summary>
public sealed record ProblemCodes(IReadOnlyList<string> Codes);

/// <summary>
/// The error responses of each operation: one application/problem+json response per HTTP status, listing the stable
/// codes the route can return with that status (statuses from <see cref="ApiProblems"/>, the one table). Routes name
/// their codes with <see cref="ProducesProblems{TBuilder}"/>; what auth, rate limiting and bugs add is added here.
/// </summary>
public sealed class ProblemResponses : IOpenApiOperationTransformer
{
    public const string MediaType = "application/problem+json";
    public const string SchemaName = "Problem";

    /// <summary>What each code means to a client. <see cref="ApiProblems.NotComputed"/> is never answered on its own.</summary>
    public static readonly IReadOnlyDictionary<string, string> Meanings = new Dictionary<string, string>
    {
        [ApiProblems.InvalidArgument] = "a malformed body, an unknown member or query parameter, or a value out of range; the detail names it",
        [ApiProblems.UnsupportedMediaType] = "the Content-Type is not one this route reads",
        [ApiProblems.NotAcceptable] = "the Accept header names no type this route answers with; the detail lists those it does",
        [ApiProblems.PatchFeaturesNeedJson] = "patch_features=true with Accept: application/x-npy: the .npy holds the pooled embeddings only; ask for JSON to get patch features",
        [ApiProblems.MethodNotAllowed] = "the route exists, but not with this HTTP method; the Allow header lists the methods it has",
        [ApiProblems.ImageDecodeFailed] = "an image could not be decoded",
        [ApiProblems.ImageTooLarge] = "one image has more pixels than Serving:MaxPixels or more tokens than Serving:MaxImageTokens",
        [ApiProblems.PayloadTooLarge] = "the body is larger than Serving:MaxBodyBytes",
        [ApiProblems.TooManyImages] = "more images than Serving:MaxImagesPerRequest",
        [ApiProblems.RequestTooLarge] = "all images together exceed Serving:MaxRequestTokens or Serving:MaxRequestPixels",
        [ApiProblems.TooManyPoints] = "more points than Retrieval:MaxPointsPerRequest",
        [ApiProblems.TooManySearches] = "more searches than Retrieval:MaxSearchesPerRequest",
        [ApiProblems.Overloaded] = "the queue is full or the key's rate limit (Auth:RateLimitPerMinute) is spent: retry after Retry-After",
        [ApiProblems.DeadlineExceeded] = $"the deadline ({RequestDeadline.Header}, else Serving:DefaultDeadlineMs) passed before the work ran",
        [ApiProblems.Unauthorized] = "no API key, or one that is not valid",
        [ApiProblems.Forbidden] = "a valid key, but not an admin key",
        [ApiProblems.NotReady] = "the model or the vector store is loading, or the service is draining",
        [ApiProblems.NotFound] = "no such route",
        [ApiProblems.Internal] = "a bug: the body carries a traceId to find it in the service's logs",
        [ApiProblems.CollectionNotFound] = "there is no collection of that name",
        [ApiProblems.CollectionExists] = "a collection of that name exists with other settings",
        [ApiProblems.ModelMismatch] = "the collection's vectors come from another model or preprocessing than the one serving",
        [ApiProblems.DimensionMismatch] = "a vector's length is not the collection's dimension",
        [ApiProblems.PointNotFound] = "the collection has no point with that id",
        [ApiProblems.StoreUnavailable] = "the vector store cannot be reached, or the collection is still loading after a restart: retry after Retry-After when given",
        [ApiProblems.StoreCorrupt] = "the collection's log is damaged: every call but delete fails until it is deleted",
        [ApiProblems.InvalidSpec] = "the job's kind or spec is not valid (unknown field, bad value, dataset or teacher missing); the detail names the field; nothing is queued",
        [ApiProblems.SpecTooLarge] = "the job's spec is larger than Training:MaxSpecBytes",
        [ApiProblems.PathOutsideDataRoot] = "a dataset or output path of the spec leaves Training:DataRoot",
        [ApiProblems.JobNotFound] = "there is no job with that id",
        [ApiProblems.JobState] = "the operation does not apply to the job's state (e.g. resume of a running job)",
        [ApiProblems.IdempotencyConflict] = "the Idempotency-Key was used with another body",
        [ApiProblems.ModelNotFound] = "there is no model with that id",
        [ApiProblems.ArtifactNotFound] = "the job has no artifact at that path",
        [ApiProblems.ModelLoadFailed] = "this replica could not load the model's weights; it goes on serving the previous model",
        [ApiProblems.TrainerUnavailable] = "the trainer worker cannot be reached (a local one is restarting): retry after Retry-After",
    };

    /// <summary>The codes of <paramref name="metadata"/>'s <see cref="ProblemCodes"/> (a group's and its route's together), with those of auth and rate limiting.</summary>
    public static IReadOnlyList<string> CodesOf(IEnumerable<object> metadata, ApiKeySecurity.Requirement requirement)
    {
        var codes = metadata.OfType<ProblemCodes>().SelectMany(p => p.Codes).ToList();
        if (requirement != ApiKeySecurity.Requirement.None) codes.Add(ApiProblems.Unauthorized);
        if (requirement == ApiKeySecurity.Requirement.Admin) codes.Add(ApiProblems.Forbidden);
        codes.Add(ApiProblems.Overloaded);
        codes.Add(ApiProblems.Internal);
        return codes.Distinct().ToList();
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        Add(operation, context.Document!, CodesOf(metadata, ApiKeySecurity.RequirementOf(metadata, context.ApplicationServices)));
        return Task.CompletedTask;
    }

    /// <summary>Adds a problem response per status of <paramref name="codes"/>, replacing any the framework made for that status.</summary>
    public static void Add(OpenApiOperation operation, OpenApiDocument document, IEnumerable<string> codes)
    {
        operation.Responses ??= [];
        foreach (var status in codes.GroupBy(ApiProblems.StatusOf).OrderBy(g => g.Key))
        {
            var listed = status.ToArray();
            var schema = new OpenApiSchema
            {
                AllOf = [Schema(document), new OpenApiSchema { Properties = new Dictionary<string, IOpenApiSchema> { ["code"] = CodeSchema(listed) } }],
            };
            operation.Responses[status.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = string.Join("; ", listed.Select(code => $"`{code}`: {Meanings[code]}")),
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [MediaType] = new()
                    {
                        Schema = schema,
                        Examples = listed.ToDictionary(code => code, code => (IOpenApiExample)new OpenApiExample { Value = Example(code) }),
                    },
                },
            };
        }
    }

    /// <summary>The RFC 9457 problem body every error has, registered once as the component "Problem".</summary>
    public static OpenApiSchemaReference Schema(OpenApiDocument document) => Schemas.Component(document, SchemaName, new OpenApiSchema
    {
        Type = JsonSchemaType.Object,
        Description = "An error (RFC 9457 problem details) with the stable code of what went wrong.",
        Required = new HashSet<string> { "status", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = Schemas.String("A URI naming the kind of HTTP error."),
            ["title"] = Schemas.String("The HTTP status in words."),
            ["status"] = Schemas.Integer("The HTTP status."),
            ["detail"] = Schemas.String("What was wrong, naming the field, value or limit."),
            ["code"] = CodeSchema(Meanings.Keys),
            ["index"] = Schemas.Integer("In a body that lists inputs (JSON or multipart images, points, a batch of searches): the one that caused the error. " +
                                          "Errors of the whole body, of one raw image and of a single search have none."),
            ["traceId"] = Schemas.String("The request's trace id, also in the service's log line for it."),
        },
    });

    private static OpenApiSchema CodeSchema(IEnumerable<string> codes) => Schemas.Enum("The stable error code.", codes);

    private static JsonObject Example(string code) => new() { ["status"] = ApiProblems.StatusOf(code), ["detail"] = Meanings[code], ["code"] = code };
}

public static class ProblemCodesExtensions
{
    /// <summary>Documents the problem codes this route (or every route of this group) can answer with.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params string[] codes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemCodes(codes));
}
