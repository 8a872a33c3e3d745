using System.Text.Json.Nodes;
using EmbeddingService.Api.Hosting.OpenApi;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace EmbeddingService.Api.Training;

/// <summary>The request body of POST /v1/admin/jobs and the query parameters of the job reads, as operation transformers (see <see cref="RequestDocs"/>).</summary>
public static class TrainingDocs
{
    /// <summary>A pretraining run of a few steps on synthetic images: the smallest job that exports a model.</summary>
    public const string ExampleJob = """{"kind":"pretrain","priority":0,"spec":{"kind":"pretrain","batch_size":4,"data":{"train":"synthetic"},"model":{"embed_dim":32,"depth":2,"num_heads":2,"patch_size":14},"heads":{"prototypes":64,"hidden_dim":32,"bottleneck_dim":16},"crops":{"global_size":56,"local_size":28,"local_crops_number":2},"optim":{"steps":8,"warmup_steps":2}}}""";

    public static Task SubmitJob(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var maxSpecBytes = context.ApplicationServices.GetRequiredService<IOptions<TrainingOptions>>().Value.MaxSpecBytes;
        var body = Schemas.Object("A job: its kind, run spec and priority.", new()
        {
            ["kind"] = Schemas.Enum("What the job runs.", JobNames.Kinds),
            ["spec"] = Schemas.AnyObject($"The run spec (as `embedctl train --config` reads it; dataset and output paths inside Training:DataRoot), at most Training:MaxSpecBytes ({maxSpecBytes} bytes)."),
            ["priority"] = Schemas.Integer("Higher runs first; equal priorities in submission order.", @default: 0),
        }, "kind", "spec");
        operation.Parameters = [.. operation.Parameters ?? [], new OpenApiParameter
        {
            Name = JobSubmissionReader.IdempotencyKeyHeader,
            In = ParameterLocation.Header,
            Description = $"Optional, at most {JobSubmissionReader.MaxIdempotencyKeyLength} characters: the same key with the same body answers the first job (200), with another body 409.",
            Schema = Schemas.String("Any string the client picks per job."),
        }];
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The job as JSON. Any other Content-Type is answered 415 unsupported_media_type.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [RequestDocs.Json] = new()
                {
                    Schema = body,
                    Examples = new Dictionary<string, IOpenApiExample> { ["A tiny pretraining run"] = new OpenApiExample { Summary = "A tiny pretraining run", Value = JsonNode.Parse(ExampleJob) } },
                },
            },
        };
        return Task.CompletedTask;
    }

    public static Task ListJobs(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters =
        [
            .. operation.Parameters ?? [],
            Query("state", Schemas.Enum("Only jobs in these states (repeat the parameter or separate with commas).", JobNames.States)),
            Query("kind", Schemas.Enum("Only jobs of these kinds.", JobNames.Kinds)),
            Query("page_size", Schemas.Integer("Jobs per page.", minimum: 1, maximum: 500, @default: 50)),
            Query("page_token", Schemas.String("next_page_token of the previous page.")),
        ];
        return Task.CompletedTask;
    }

    /// <summary>The two paging parameters of a read that continues where the last one stopped.</summary>
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> Paging(string from, string limit) => (operation, _, _) =>
    {
        operation.Parameters =
        [
            .. operation.Parameters ?? [],
            Query(from, Schemas.Integer($"Continue from here (the previous answer's next_{from}); 0 from the start.", minimum: 0, @default: 0)),
            Query(limit, Schemas.Integer("At most this many (default 1000, at most 10000).", minimum: 1, maximum: 10000, @default: 1000)),
        ];
        return Task.CompletedTask;
    };

    private static OpenApiParameter Query(string name, IOpenApiSchema schema) =>
        new() { Name = name, In = ParameterLocation.Query, Description = schema.Description, Schema = schema };
}
