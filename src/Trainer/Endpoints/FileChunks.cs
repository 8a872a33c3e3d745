using Google.Protobuf;
using Grpc.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Endpoints;

/// <summary>A file as a stream of <see cref="ChunkSize"/> chunks; the first carries the file's size (an empty file: one empty chunk).</summary>
public static class FileChunks
{
    public const int ChunkSize = 64 * 1024;

    public static async Task SendAsync(string path, IServerStreamWriter<V1.FileChunk> stream, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, ChunkSize, useAsync: true);
        var total = file.Length;
        var buffer = new byte[ChunkSize];
        var first = true;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0 || first)
        {
            var chunk = new V1.FileChunk { Data = ByteString.CopyFrom(buffer, 0, read) };
            if (first) chunk.TotalBytes = total;
            first = false;
            await stream.WriteAsync(chunk, cancellationToken);
        }
    }
}
