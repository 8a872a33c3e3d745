using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace EmbeddingService.Engine.IO;

/// <summary>The fields of a .npy header dictionary.</summary>
internal static partial class NpyHeader
{
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>A version 1.0 header for a C-ordered array, padded so the data starts on a 64-byte boundary.</summary>
    public static void Write(Stream stream, string descr, ReadOnlySpan<long> shape)
    {
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape.ToArray());
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        var total = Magic.Length + 4 + dict.Length + 1;
        var padded = dict + new string(' ', (64 - total % 64) % 64) + "\n";
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)padded.Length);
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(padded));
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    public static partial Regex Descr();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    public static partial Regex Fortran();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    public static partial Regex Shape();
}
