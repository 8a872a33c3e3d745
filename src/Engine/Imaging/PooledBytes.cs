using System.Buffers;

namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// Pixel buffers from the shared pool: a photo's decoded raster is a megabyte or more, which as a fresh array lands
/// on the large object heap and brings gen-2 collections, on the cores the model runs on. Buffers above
/// <see cref="MaxPooledBytes"/> (pictures over 4 MP) are allocated and dropped instead, so the pool never holds them.
/// </summary>
internal static class PooledBytes
{
    public const int MaxPooledBytes = 16 << 20;

    /// <summary>An array of at least <paramref name="length"/> bytes, contents undefined.</summary>
    public static byte[] Rent(int length) =>
        length <= MaxPooledBytes ? ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);

    /// <summary>Gives back an array from <see cref="Rent"/>; the caller must not use it afterwards.</summary>
    public static void Return(byte[] array)
    {
        if (array.Length <= MaxPooledBytes)
            ArrayPool<byte>.Shared.Return(array);
    }
}
