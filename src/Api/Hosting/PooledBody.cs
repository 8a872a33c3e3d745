using System.Buffers;

namespace EmbeddingService.Api.Hosting;

/// <summary>A request body in a pooled buffer; disposing returns the buffer, after which <see cref="Memory"/> must not be used.</summary>
public sealed class PooledBody(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBody))).AsMemory(0, length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } rented) ArrayPool<byte>.Shared.Return(rented);
    }
}
