using System.Text;
using System.Text.Json;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Hosting.OpenApi;
using EmbeddingService.Api.Problems;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>
/// Reads POST /v1/admin/jobs: {"kind": "pretrain" | "distill" | "eval-knn", "spec": {...}, "priority": 0} as JSON, with the
/// optional Idempotency-Key header; the spec at most Training:MaxSpecBytes (spec_too_large). The worker checks the spec itself.
/// </summary>
public static class JobSubmissionReader
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxIdempotencyKeyLength = 256;
    private static readonly string[] Members = ["kind", "spec", "priority"];

    public static async Task<V1.SubmitJobRequest> ReadAsync(HttpRequest request, int maxSpecBytes, CancellationToken cancellation)
    {
        if (RequestBodies.MediaType(request) != RequestDocs.Json)
            throw new ApiRequestError(ApiProblems.UnsupportedMediaType, $"a job is submitted as {RequestDocs.Json}, not {request.ContentType ?? "a body without Content-Type"}");
        // The envelope around the spec (kind, priority, whitespace) is small: a body this much larger is too large a spec.
        var maxBody = maxSpecBytes + 4096L;
        if (request.ContentLength > maxBody) throw TooLarge(maxSpecBytes);
        RequestBodies.Limit(request, maxBody);
        JsonDocument body;
        try
        {
            body = await RequestBodies.ReadJsonAsync(request, cancellation);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxSpecBytes);
        }
        using (body)
        {
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid("the body must be a JSON object with kind and spec");
            JsonMembers.RequireKnown(root, "body", Members);
            var submission = new V1.SubmitJobRequest
            {
                Kind = root.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String && JobNames.TryKind(kind.GetString(), out var k)
                    ? k
                    : throw Invalid($"kind: must be {string.Join(", ", JobNames.Kinds)}{(root.TryGetProperty("kind", out var sent) ? $", not {sent.GetRawText()}" : " (it is required)")}"),
                SpecJson = root.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
                    ? spec.GetRawText()
                    : throw Invalid("spec: the run spec is required, as a JSON object"),
                Priority = !root.TryGetProperty("priority", out var priority) || priority.ValueKind == JsonValueKind.Null ? 0
                    : priority.ValueKind == JsonValueKind.Number && priority.TryGetInt32(out var p) ? p
                    : throw Invalid($"priority: must be an integer, not {priority.GetRawText()}"),
                IdempotencyKey = IdempotencyKey(request),
            };
            if (Encoding.UTF8.GetByteCount(submission.SpecJson) > maxSpecBytes) throw TooLarge(maxSpecBytes);
            return submission;
        }
    }

    private static string IdempotencyKey(HttpRequest request)
    {
        var key = request.Headers[IdempotencyKeyHeader].ToString().Trim();
        return key.Length <= MaxIdempotencyKeyLength
            ? key
            : throw Invalid($"{IdempotencyKeyHeader}: at most {MaxIdempotencyKeyLength} characters, not {key.Length}");
    }

    private static ApiRequestError Invalid(string message) => new(ApiProblems.InvalidSpec, message);

    private static ApiRequestError TooLarge(int maxSpecBytes) => new(ApiProblems.SpecTooLarge, $"the job spec exceeds Training:MaxSpecBytes ({maxSpecBytes} bytes)");
}
