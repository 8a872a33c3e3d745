using EmbeddingService.Engine.Text;
using System.Text.Json.Nodes;
using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Retrieval;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace EmbeddingService.Api.Hosting.OpenApi;

/// <summary>
/// The request bodies, query parameters and headers of the routes that read their requests themselves, written as
/// operation transformers (route.AddOpenApiOperationTransformer(RequestDocs.Embed)). Routing metadata such as
/// .Accepts would say the same but also change matching: a Content-Type it does not list would get the router's 404
/// instead of the handler's 415 unsupported_media_type. Defaults and limits come from the options the service runs with.
/// </summary>
public static class RequestDocs
{
    public const string Json = "application/json";
    public const string Multipart = "multipart/form-data";
    public const string AnyImage = "image/*";
    public const string OctetStream = "application/octet-stream";

    /// <summary>A 16×16 two-colour PNG: the image of the examples, small enough to read and a real image to the decoder.</summary>
    public const string ExampleImage = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAGklEQVR42mM4UWGDFdlE7cOKGEY1jGoYvhoAWGhoEPSOb44AAAAASUVORK5CYII=";

    private const string Images = "JPEG, PNG, WebP, BMP or GIF";

    /// <summary>POST /v1/embed: a raw image, multipart images or JSON base64 images; options in the query or the JSON.</summary>
    public static Task Embed(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var serving = Options<ServingOptions>(context);
        var document = context.Document!;
        var options = Schemas.Component(document, "EmbedOptions", Schemas.Object(
            "How to embed; each member also a query parameter, and the query's value is the default for the JSON's.", EmbedOptionSchemas(serving)));
        var input = Schemas.Component(document, "EmbedInput", Schemas.Object("One image.", new()
        {
            ["image"] = Schemas.Base64($"The image file's bytes in base64: {Images}; a data URL (data:image/png;base64,...) is read too."),
            ["id"] = Schemas.String("Your name for the image, echoed in its result."),
        }, "image"));
        var body = Schemas.Object($"Images with ids and options; at most Serving:MaxImagesPerRequest ({serving.MaxImagesPerRequest}) images.", new()
        {
            ["inputs"] = Schemas.Array(input, "The images, answered in this order."),
            ["options"] = options,
        }, "inputs");
        operation.Parameters = [.. operation.Parameters ?? [], .. EmbedOptionSchemas(serving).Select(o => Query(o.Key, o.Value)), DeadlineHeader(serving)];
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = $"The images: one raw image (image/* or application/octet-stream: the bytes decide the format), multipart file parts, or JSON with base64 images. " +
                          $"Body at most Serving:MaxBodyBytes ({serving.MaxBodyBytes} bytes). " +
                          "Any other Content-Type is answered 415 unsupported_media_type.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [Json] = Example(body, "One image with an id, mean pooling", $$$"""{"inputs":[{"image":"{{{ExampleImage}}}","id":"p1"}],"options":{"pooling":"mean"}}"""),
                [Multipart] = new() { Schema = MultipartImages("One file part per image, under any part name; an image's id is its file name.") },
                [AnyImage] = new() { Schema = Schemas.Binary($"One image as the whole body ({Images}), e.g. Content-Type: image/jpeg.") },
                [OctetStream] = new() { Schema = Schemas.Binary($"One image as the whole body ({Images}), its format read from its bytes.") },
            },
        };
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse found)
        {
            found.Description = "The embeddings: JSON, or when Accept prefers application/x-npy (q-values honoured; no Accept or */* is JSON) one float32 [N, dim] .npy " +
                                "of the pooled embeddings (headers X-Model and X-Random-Weights name the model; patch_features need JSON). An Accept that allows neither is answered 406.";
            found.Content ??= new Dictionary<string, OpenApiMediaType>();
            found.Content[EmbedEndpoint.NpyMediaType] = new() { Schema = Schemas.Binary("A NumPy .npy file: float32, shape [images, dim], rows in input order.") };
        }
        return Task.CompletedTask;
    }

    /// <summary>PUT /v1/collections/{name}: an optional JSON body with the collection's preprocessing and index.</summary>
    public static Task CreateCollection(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var options = EmbedOptionSchemas(Options<ServingOptions>(context));
        var body = Schemas.Object("How the collection's images are embedded and indexed; every member optional, defaults as for /v1/embed.", new()
        {
            ["pooling"] = options["pooling"],
            ["policy"] = options["policy"],
            ["resolution"] = options["resolution"],
            ["index"] = Schemas.Enum(
                "exact: a SIMD scan; hnsw: an approximate HNSW graph; auto: exact, then HNSW from 20,000 points. Filtered searches always scan exactly.",
                Enum.GetValues<IndexKind>().Select(KebabCaseNames<IndexKind>.Name), KebabCaseNames<IndexKind>.Name(IndexKind.Auto)),
        });
        Describe(operation.Parameters);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = false,
            Description = "Optional: with no body the collection gets the service's defaults.",
            Content = new Dictionary<string, OpenApiMediaType> { [Json] = Example(body, "Mean pooling, exact index", """{"pooling":"mean","index":"exact"}""") },
        };
        return Task.CompletedTask;
    }

    /// <summary>POST /v1/collections/{name}/points: JSON points (images, vectors) or multipart images with a payloads field.</summary>
    public static Task UpsertPoints(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var retrieval = Options<RetrievalOptions>(context);
        var point = Schemas.Component(context.Document!, "Point", Schemas.Object(
            $"A point: its id, exactly one of \"image\", \"vector\" or \"{Base64Vectors.Member}\", and an optional payload.", new()
            {
                ["id"] = Schemas.String("1 to 256 UTF-8 bytes without control characters; not containing '/', not '.' or '..'. An existing id is replaced."),
                ["image"] = Schemas.Base64($"An image file's bytes in base64 ({Images}; a data URL is read too), embedded as the collection was configured."),
                ["vector"] = Schemas.Array(Schemas.Number("A component."), "A vector of the collection's dimension (normalised to unit length when stored)."),
                [Base64Vectors.Member] = Schemas.Base64("The vector as the base64 of its little-endian float32 bytes: decoded several times faster than \"vector\"."),
                ["payload"] = Schemas.AnyObject("Any JSON object, returned with the point and matched by search filters."),
            }, "id"));
        var body = Schemas.Object($"At most Retrieval:MaxPointsPerRequest ({retrieval.MaxPointsPerRequest}) points, written all or nothing.", new()
        {
            ["points"] = Schemas.Array(point, "The points to insert or replace."),
        }, "points");
        var multipart = MultipartImages("One file part per image; a point's id is its file name.");
        multipart.Properties!["payloads"] = Schemas.String("Optional: a JSON object of id → payload object, e.g. {\"one.jpg\":{\"brand\":\"acme\"}}.");
        Describe(operation.Parameters);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [Json] = Example(body, "An image point with a payload", $$$"""{"points":[{"id":"sku-1","image":"{{{ExampleImage}}}","payload":{"brand":"acme"}}]}"""),
                [Multipart] = new() { Schema = multipart },
            },
        };
        return Task.CompletedTask;
    }

    /// <summary>POST /v1/collections/{name}/search: one JSON query, or a raw image with k and score_threshold in the query.</summary>
    public static Task Search(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var retrieval = Options<RetrievalOptions>(context);
        var query = SearchQuery(context.Document!, retrieval);
        Describe(operation.Parameters);
        operation.Parameters =
        [
            .. operation.Parameters ?? [],
            Query("k", KSchema(retrieval, "With a raw image body: how many hits at most.")),
            Query("score_threshold", Schemas.Number("With a raw image body: the lowest cosine similarity a hit may have.")),
            DeadlineHeader(Options<ServingOptions>(context)),
        ];
        var json = Example(query, "An image, filtered by payload", $$$"""{"image":"{{{ExampleImage}}}","k":5,"filter":{"brand":["acme","other"]}}""");
        json.Examples!["By stored point"] = new OpenApiExample { Summary = "The neighbours of a stored point (left out of its own hits)", Value = JsonNode.Parse("""{"id":"sku-1","k":5,"score_threshold":0.2}""") };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [Json] = json,
                [AnyImage] = new() { Schema = Schemas.Binary($"The query image as the whole body ({Images}); k and score_threshold in the query string.") },
                [OctetStream] = new() { Schema = Schemas.Binary($"The query image as the whole body, its format read from its bytes; k and score_threshold in the query string.") },
            },
        };
        return Task.CompletedTask;
    }

    /// <summary>POST /v1/collections/{name}/search/batch: {"searches":[query, ...]}.</summary>
    public static Task BatchSearch(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var retrieval = Options<RetrievalOptions>(context);
        var body = Schemas.Object($"At most Retrieval:MaxSearchesPerRequest ({retrieval.MaxSearchesPerRequest}) searches, answered in order.", new()
        {
            ["searches"] = Schemas.Array(SearchQuery(context.Document!, retrieval), "The searches."),
        }, "searches");
        Describe(operation.Parameters);
        operation.Parameters = [.. operation.Parameters ?? [], DeadlineHeader(Options<ServingOptions>(context))];
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [Json] = Example(body, "A stored point and an image", $$$"""{"searches":[{"id":"sku-1","k":3},{"image":"{{{ExampleImage}}}","k":3,"score_threshold":0.2}]}"""),
            },
        };
        return Task.CompletedTask;
    }

    /// <summary>The path parameters of the collection routes.</summary>
    public static Task CollectionPath(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        Describe(operation.Parameters);
        return Task.CompletedTask;
    }

    private static Dictionary<string, IOpenApiSchema> EmbedOptionSchemas(ServingOptions serving) => new()
    {
        ["pooling"] = Schemas.Enum("cls: the class token; mean: the mean of the patch tokens; cls+mean: both, concatenated (twice the width).",
            Enum.GetValues<Pooling>().Select(p => p.ToName()), Pooling.Cls.ToName()),
        ["normalize"] = Schemas.Boolean("Scale each embedding to unit L2 length.", true),
        ["policy"] = Schemas.Enum(
            $"{KebabCaseNames<ResizePolicy>.Name(ResizePolicy.CenterCrop)}: resize the shorter side to resolution × 256/224, then crop the centre square (the paper's); " +
            $"{KebabCaseNames<ResizePolicy>.Name(ResizePolicy.KeepAspect)}: shorter side to resolution, both sides multiples of the patch size. Default Serving:Policy.",
            Enum.GetValues<ResizePolicy>().Select(KebabCaseNames<ResizePolicy>.Name), KebabCaseNames<ResizePolicy>.Name(serving.Policy)),
        ["resolution"] = Schemas.Integer(
            $"Input side in pixels: a multiple of the model's patch size (14) up to {EmbedOptionsParser.MaxResolution}, within Serving:MaxImageTokens. Default Serving:Resolution.",
            minimum: 14, maximum: EmbedOptionsParser.MaxResolution, @default: serving.Resolution),
        ["patch_features"] = Schemas.Boolean("Also return every patch token's features (grid_height × grid_width rows).", false),
    };

    private static OpenApiSchemaReference SearchQuery(OpenApiDocument document, RetrievalOptions retrieval) => Schemas.Component(document, "SearchQuery", Schemas.Object(
        $"One search: exactly one of \"image\", \"vector\", \"{Base64Vectors.Member}\" or \"id\", with optional k, filter and score_threshold. Scores are cosine similarities.", new()
        {
            ["image"] = Schemas.Base64($"A query image's bytes in base64 ({Images}; a data URL is read too)."),
            ["vector"] = Schemas.Array(Schemas.Number("A component."), "A query vector of the collection's dimension."),
            [Base64Vectors.Member] = Schemas.Base64("A query vector as the base64 of its little-endian float32 bytes."),
            ["id"] = Schemas.String("A stored point whose vector is the query; it is left out of its own hits."),
            ["k"] = KSchema(retrieval, "How many hits at most."),
            ["filter"] = Schemas.AnyObject("Payload conditions, all of which must hold: {\"key\": value} (equal) or {\"key\": [v1, v2]} (any of); strings, integers or booleans; dots for nested keys."),
            ["score_threshold"] = Schemas.Number("The lowest score a hit may have."),
        }));

    private static OpenApiSchema KSchema(RetrievalOptions retrieval, string description) =>
        Schemas.Integer($"{description} At most Retrieval:MaxK.", minimum: 1, maximum: retrieval.MaxK, @default: retrieval.DefaultK);

    private static OpenApiSchema MultipartImages(string description) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Properties = new Dictionary<string, IOpenApiSchema> { ["image"] = Schemas.Binary($"An image file ({Images}).") },
        AdditionalProperties = Schemas.Binary("More images."),
    };

    private static OpenApiParameter Query(string name, IOpenApiSchema schema) =>
        new() { Name = name, In = ParameterLocation.Query, Description = schema.Description, Schema = schema };

    private static OpenApiParameter DeadlineHeader(ServingOptions serving) => new()
    {
        Name = RequestDeadline.Header,
        In = ParameterLocation.Header,
        Description = $"How long the work may take, in milliseconds (default Serving:DefaultDeadlineMs, {serving.DefaultDeadlineMs}); work still queued then is dropped and answered 504 deadline_exceeded.",
        Schema = Schemas.Integer("Milliseconds.", minimum: 1),
    };

    /// <summary>Describes the path parameters {name} and {id} the framework lists from the handlers' arguments.</summary>
    private static void Describe(IList<IOpenApiParameter>? parameters)
    {
        foreach (var parameter in (parameters ?? []).OfType<OpenApiParameter>())
        {
            parameter.Description = parameter.Name switch
            {
                "name" => "The collection: 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit.",
                "id" => "The point's id (percent-encoded in the path).",
                _ => parameter.Description,
            };
        }
    }

    private static OpenApiMediaType Example(IOpenApiSchema schema, string summary, string json) => new()
    {
        Schema = schema,
        Examples = new Dictionary<string, IOpenApiExample> { [summary] = new OpenApiExample { Summary = summary, Value = JsonNode.Parse(json) } },
    };

    private static T Options<T>(OpenApiOperationTransformerContext context) where T : class => context.ApplicationServices.GetRequiredService<IOptions<T>>().Value;
}
