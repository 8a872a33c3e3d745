using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.IO;

/// <summary>
/// Reads and writes .npy files of the dtypes the training fixtures use (float32/64, int64/32, uint8, bool) as
/// tensors, C order, little-endian. <see cref="Npy"/> stays the allocation-light float32 path of inference.
/// </summary>
public static class NpyTensor
{

    private static readonly (string Descr, ScalarType Type, int Size)[] Types =
    [
        ("<f4", ScalarType.Float32, 4), ("<f8", ScalarType.Float64, 8), ("<i8", ScalarType.Int64, 8),
        ("<i4", ScalarType.Int32, 4), ("|u1", ScalarType.Byte, 1), ("|b1", ScalarType.Bool, 1),
    ];

    public static Tensor Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(NpyHeader.Magic))
            throw new InvalidDataException($"{path}: not a .npy file (bad magic)");
        int major = bytes[6];
        var (headerStart, headerLength) = major switch
        {
            1 => (10, (int)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8, 2))),
            2 or 3 => (12, (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8, 4))),
            _ => throw new InvalidDataException($"{path}: unsupported .npy version {major}"),
        };
        if (headerLength <= 0 || headerStart + headerLength > bytes.Length)
            throw new InvalidDataException($"{path}: bad .npy header length {headerLength}");
        var header = Encoding.Latin1.GetString(bytes, headerStart, headerLength);
        var descr = NpyHeader.Descr().Match(header).Groups[1].Value.Replace('=', '<');
        if (NpyHeader.Fortran().Match(header).Groups[1].Value != "False")
            throw new InvalidDataException($"{path}: only C-ordered arrays are supported");
        var type = Types.FirstOrDefault(t => t.Descr == descr || (t.Size == 1 && t.Descr[1..] == descr.TrimStart('<', '|')));
        if (type.Descr is null)
            throw new InvalidDataException($"{path}: dtype '{descr}' is not one of {string.Join(", ", Types.Select(t => t.Descr))}");
        var shape = NpyHeader.Shape().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var count = shape.Aggregate(1L, (a, b) => checked(a * b));
        var dataStart = headerStart + headerLength;
        if (bytes.LongLength - dataStart < count * type.Size)
            throw new InvalidDataException($"{path}: truncated .npy data");
        var result = empty(shape, type.Type);
        result.bytes = bytes.AsSpan(dataStart, (int)(count * type.Size));
        return result;
    }

    public static void Write(string path, Tensor tensor)
    {
        var type = Types.FirstOrDefault(t => t.Type == tensor.dtype);
        if (type.Descr is null) throw new ArgumentException($"dtype {tensor.dtype} cannot be written as .npy");
        using var contiguous = tensor.cpu().contiguous();
        using var stream = File.Create(path);
        NpyHeader.Write(stream, type.Descr, contiguous.shape);
        stream.Write(contiguous.bytes);
    }
}
