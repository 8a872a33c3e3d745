namespace EmbeddingService.Engine.Tests.Imaging;

/// <summary>Writes single-frame GIF89a files with a chosen screen, frame rectangle, palettes and transparency.</summary>
internal sealed class GifBytes
{
    public int ScreenWidth { get; init; }

    public int ScreenHeight { get; init; }

    public byte[]? GlobalPalette { get; init; }

    public byte BackgroundIndex { get; init; }

    public int? TransparentIndex { get; init; }

    public int Left { get; init; }

    public int Top { get; init; }

    public int FrameWidth { get; init; }

    public int FrameHeight { get; init; }

    public byte[]? LocalPalette { get; init; }

    /// <summary>Colour indices of the frame, row by row.</summary>
    public byte[] Indices { get; init; } = [];

    public byte[] ToArray()
    {
        var bytes = new List<byte>();
        bytes.AddRange("GIF89a"u8.ToArray());
        AddUInt16(bytes, ScreenWidth);
        AddUInt16(bytes, ScreenHeight);
        bytes.Add(GlobalPalette is null ? (byte)0 : (byte)(0x80 | TableSizeBits(GlobalPalette)));
        bytes.Add(BackgroundIndex);
        bytes.Add(0);
        if (GlobalPalette is not null)
            bytes.AddRange(GlobalPalette);
        if (TransparentIndex is { } transparent)
            bytes.AddRange(new byte[] { 0x21, 0xF9, 4, 1, 0, 0, (byte)transparent, 0 });
        bytes.Add(0x2C);
        AddUInt16(bytes, Left);
        AddUInt16(bytes, Top);
        AddUInt16(bytes, FrameWidth);
        AddUInt16(bytes, FrameHeight);
        bytes.Add(LocalPalette is null ? (byte)0 : (byte)(0x80 | TableSizeBits(LocalPalette)));
        if (LocalPalette is not null)
            bytes.AddRange(LocalPalette);
        const int minimumCodeSize = 8;
        bytes.Add(minimumCodeSize);
        var lzw = LiteralLzw(Indices, minimumCodeSize);
        for (var i = 0; i < lzw.Length; i += 255)
        {
            var block = lzw.AsSpan(i, Math.Min(255, lzw.Length - i));
            bytes.Add((byte)block.Length);
            bytes.AddRange(block);
        }
        bytes.Add(0);
        bytes.Add(0x3B);
        return [.. bytes];
    }

    /// <summary>A palette of 2^n entries (n in 1..8), padded with black.</summary>
    public static byte[] Palette(int entries, params (byte R, byte G, byte B)[] colours)
    {
        var palette = new byte[entries * 3];
        for (var i = 0; i < colours.Length; i++)
            (palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]) = colours[i];
        return palette;
    }

    private static void AddUInt16(List<byte> bytes, int value)
    {
        bytes.Add((byte)value);
        bytes.Add((byte)(value >> 8));
    }

    private static int TableSizeBits(byte[] palette) => (int)Math.Log2(palette.Length / 3) - 1;

    /// <summary>LZW data that codes every index as a literal, clearing often enough that the code width never grows.</summary>
    private static byte[] LiteralLzw(byte[] indices, int minimumCodeSize)
    {
        var clear = 1 << minimumCodeSize;
        var width = minimumCodeSize + 1;
        var output = new List<byte>();
        int buffer = 0, bits = 0;
        void Emit(int code)
        {
            buffer |= code << bits;
            bits += width;
            for (; bits >= 8; bits -= 8, buffer >>= 8)
                output.Add((byte)buffer);
        }
        var sinceClear = 0;
        Emit(clear);
        foreach (var index in indices)
        {
            if (sinceClear == clear - 3)
            {
                Emit(clear);
                sinceClear = 0;
            }
            Emit(index);
            sinceClear++;
        }
        Emit(clear + 1);
        if (bits > 0)
            output.Add((byte)buffer);
        return [.. output];
    }
}
