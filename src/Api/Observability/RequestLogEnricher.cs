using Serilog;

namespace EmbeddingService.Api.Observability;

/// <summary>
/// Adds the embedding figures of a request to its one request log line (a singleton: Serilog's diagnostic
/// context follows the request through its async flow). Call it from the handler before it returns.
/// </summary>
public sealed class RequestLogEnricher(IDiagnosticContext context)
{
    public const string Images = "Images";
    public const string Tokens = "Tokens";
    public const string QueueMs = "QueueMs";
    public const string InferenceMs = "InferenceMs";
    public const string Items = "Items";

    public void Record(int images, int tokens, double queueMs, double inferenceMs)
    {
        context.Set(Images, images);
        context.Set(Tokens, tokens);
        context.Set(QueueMs, Math.Round(queueMs, 2));
        context.Set(InferenceMs, Math.Round(inferenceMs, 2));
    }

    /// <summary>The points upserted or queries run by a collection request, and how many of them were images.</summary>
    public void RecordRetrieval(int items, int images)
    {
        context.Set(Items, items);
        context.Set(Images, images);
    }
}
