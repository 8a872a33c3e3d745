using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace EmbeddingService.Engine.IO;

/// <summary>Reads and writes NumPy .npy files holding little-endian float32 arrays in C order.</summary>
public static class Npy
{

    public static NpyArray Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static NpyArray Read(Stream stream, string name = "stream")
    {
        Span<byte> prefix = stackalloc byte[10];
        if (stream.ReadAtLeast(prefix, 10, throwOnEndOfStream: false) < 10 || !prefix[..6].SequenceEqual(NpyHeader.Magic))
            throw new InvalidDataException($"{name}: not a .npy file (bad magic)");
        int major = prefix[6];
        int headerLength;
        if (major == 1)
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..10]);
        else if (major is 2 or 3)
        {
            Span<byte> extra = stackalloc byte[2];
            stream.ReadExactly(extra);
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], extra[0], extra[1]]);
        }
        else throw new InvalidDataException($"{name}: unsupported .npy version {major}");
        if (headerLength is <= 0 or > 1 << 20) throw new InvalidDataException($"{name}: bad .npy header length {headerLength}");

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var text = Encoding.Latin1.GetString(header);
        var descr = NpyHeader.Descr().Match(text);
        var order = NpyHeader.Fortran().Match(text);
        var shape = NpyHeader.Shape().Match(text);
        if (!descr.Success || !order.Success || !shape.Success)
            throw new InvalidDataException($"{name}: malformed .npy header: {text.Trim()}");
        if (descr.Groups[1].Value is not ("<f4" or "=f4" or "f4"))
            throw new InvalidDataException($"{name}: dtype {descr.Groups[1].Value} is not float32 ('<f4')");
        if (order.Groups[1].Value == "True")
            throw new InvalidDataException($"{name}: Fortran-ordered arrays are not supported");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var count = dims.Aggregate(1L, (a, b) => checked(a * b));
        if (count > Array.MaxLength) throw new InvalidDataException($"{name}: array too large ({count} elements)");

        var data = new float[count];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan());
        var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length)
            throw new InvalidDataException($"{name}: truncated .npy data ({read} of {bytes.Length} bytes)");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        return new NpyArray(dims, data);
    }

    public static void Write(string path, ReadOnlySpan<long> shape, ReadOnlySpan<float> data)
    {
        using var stream = File.Create(path);
        Write(stream, shape, data);
    }

    public static void Write(Stream stream, ReadOnlySpan<long> shape, ReadOnlySpan<float> data)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count != data.Length) throw new ArgumentException($"shape holds {count} elements, data {data.Length}");
        NpyHeader.Write(stream, "<f4", shape);
        stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data));
    }
}
