using Grpc.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>A DownloadArtifact or DownloadModel stream read to its end.</summary>
internal static class Downloads
{
    public static async Task<(byte[] Bytes, List<V1.FileChunk> Chunks)> ReadAsync(AsyncServerStreamingCall<V1.FileChunk> call)
    {
        using (call)
        {
            var chunks = new List<V1.FileChunk>();
            using var bytes = new MemoryStream();
            await foreach (var chunk in call.ResponseStream.ReadAllAsync())
            {
                chunks.Add(chunk);
                chunk.Data.WriteTo(bytes);
            }
            return (bytes.ToArray(), chunks);
        }
    }
}
