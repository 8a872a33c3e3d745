using Grpc.Core;
using Microsoft.Net.Http.Headers;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>
/// GET /v1/admin/jobs/{id}/artifacts/{**path}: the worker's DownloadArtifact chunks written through as they come, with the
/// Content-Length of the first chunk's total_bytes. The first chunk is read before the headers go out, so that an unknown
/// job or path is a problem+json 404, not a broken download.
/// </summary>
public static class ArtifactDownload
{
    public static async Task WriteAsync(string id, string path, HttpContext context, TrainerConnection trainer)
    {
        trainer.EnsureEnabled();
        var cancellation = context.RequestAborted;
        using var call = trainer.Client.DownloadArtifact(new V1.ArtifactRef { JobId = id, Path = path }, cancellationToken: cancellation);
        var chunks = call.ResponseStream;
        var any = await TrainerErrors.Call(() => chunks.MoveNext(cancellation));
        var response = context.Response;
        response.ContentType = "application/octet-stream";
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = Path.GetFileName(path) }.ToString();
        response.ContentLength = any ? chunks.Current.TotalBytes : 0;
        if (!any) return;
        do
        {
            await response.Body.WriteAsync(chunks.Current.Data.Memory, cancellation);
        }
        // Once the headers are out a failure can only cut the body short, which the declared length shows the client.
        while (await chunks.MoveNext(cancellation));
    }
}
