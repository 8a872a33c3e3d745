using System.Reflection;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Problems;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmbeddingService.Api.Hosting.OpenApi;

/// <summary>
/// The document as a whole: its title and introduction, the tags in reading order with what each holds, and the
/// probe and scrape routes (/health/live, /health/ready, /metrics), which are mapped by the health-check and
/// Prometheus middleware and so have no route handler for the generator to describe.
/// </summary>
public sealed class ServiceDocument(EndpointDataSource endpoints) : IOpenApiDocumentTransformer
{
    public const string Embedding = "Embedding";
    public const string Collections = "Collections";
    public const string Admin = "Admin";
    public const string Service = "Service";

    private static readonly (string Name, string Description)[] Tags =
    [
        (Embedding, "Images in, DINOv2 embeddings out (JSON or .npy)."),
        (Collections, "Collections of embedded images or vectors with payloads, and nearest-neighbour search over them."),
        (Admin, "Operations that need an admin key."),
        (Service, "What the service serves, and its probes and metrics."),
    ];

    private sealed record ProbeRoute(string Path, string OperationId, string Summary, string Description, string OkMediaType, OpenApiSchema Ok, string[] Problems);

    private static ProbeRoute[] Probes =>
    [
        new("/health/live", "Live", "Liveness", "200 while the process serves requests, also before the model is loaded.", "application/json", Status("live"), []),
        new("/health/ready", "Ready", "Readiness",
            "200 once the model is loaded and warmed and the vector store is open; 503 not_ready while loading, while draining, or while a batch has run longer than Serving:MaxBatchSeconds.",
            "application/json", Status("ready"), [ApiProblems.NotReady]),
        new(TelemetrySetup.MetricsPath, "Metrics", "Prometheus metrics",
            "Queue depth, batch images and tokens, queue and inference time, request latency, client aborts (embedding_service_client_aborts_total), runtime.",
            "text/plain", Schemas.String("The Prometheus text exposition format."), []),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "EmbeddingService",
            Version = typeof(ServiceDocument).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1",
            Description =
                "DINOv2 image embeddings and nearest-neighbour search over REST (this document) and gRPC (protos/embedding.proto, protos/retrieval.proto; server reflection on).\n\n" +
                "**Keys.** Send `Authorization: Bearer KEY` or `X-API-Key: KEY`. A service with no keys configured (Auth:ApiKeys, Auth:AdminKeys) is open; " +
                "the lock on an operation shows what it needs once keys are configured.\n\n" +
                "**Errors** are `application/problem+json` with a stable `code` (listed per operation), and `index` when one input of several is the cause.\n\n" +
                "**Limits** (body size, images, pixels, tokens, points, searches, k) are in `GET /v1/info` under `limits`.",
        };
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        foreach (var probe in Probes)
        {
            if (Find(probe.Path) is not { } endpoint) continue;
            var operation = new OpenApiOperation
            {
                OperationId = probe.OperationId,
                Summary = probe.Summary,
                Description = probe.Description,
                Tags = new HashSet<OpenApiTagReference> { new(Service, document) },
                Responses = new OpenApiResponses
                {
                    ["200"] = new OpenApiResponse
                    {
                        Description = "OK",
                        Content = new Dictionary<string, OpenApiMediaType> { [probe.OkMediaType] = new() { Schema = probe.Ok } },
                    },
                },
            };
            var requirement = ApiKeySecurity.RequirementOf(endpoint.Metadata, context.ApplicationServices);
            ApiKeySecurity.Apply(operation, document, requirement);
            ProblemResponses.Add(operation, document, [.. probe.Problems, .. requirement == ApiKeySecurity.Requirement.None ? [] : new[] { ApiProblems.Unauthorized }]);
            document.Paths.Add(probe.Path, new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } });
        }
        return Task.CompletedTask;
    }

    private static OpenApiSchema Status(string status) =>
        Schemas.Object("The probe's answer.", new() { ["status"] = Schemas.Enum("", [status]) }, "status");

    private RouteEndpoint? Find(string path) =>
        endpoints.Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e => e.RoutePattern.RawText == path);
}
