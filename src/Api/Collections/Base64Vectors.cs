using System.Buffers.Binary;

namespace EmbeddingService.Api.Collections;

/// <summary>
/// "vector_base64": a vector as the base64 of its little-endian float32 bytes, the compact form of "vector" (as
/// embedding APIs offer with encoding_format=base64): decoding it costs a fraction of parsing decimal numbers.
/// </summary>
public static class Base64Vectors
{
    public const string Member = "vector_base64";

    /// <summary>The floats in <paramref name="bytes"/>, or null when their count is not a whole number of floats.</summary>
    public static float[]? FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0 || bytes.Length % sizeof(float) != 0) return null;
        var vector = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < vector.Length; i++) vector[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        return vector;
    }

    public static string Problem(string where) => $"{where}: \"{Member}\" must be base64 of little-endian float32 values (a multiple of 4 bytes)";
}
