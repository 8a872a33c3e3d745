namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// The colour Pillow 9.4 gives the pixels of a GIF's first frame that Skia leaves transparent. Pillow keeps that
/// frame as palette indices on a canvas filled with the transparent index (index 0 without one), and
/// <c>convert('RGB')</c> looks every index up in the frame's palette, so both the transparent pixels and the
/// canvas outside the frame take the palette colour of that index, never black.
/// </summary>
internal static class GifBackdrop
{
    private const int HeaderLength = 13;
    private const byte ExtensionIntroducer = 0x21;
    private const byte ImageSeparator = 0x2C;
    private const byte GraphicControlLabel = 0xF9;

    /// <summary>The backdrop colour, or null when the header cannot be followed up to the first image descriptor.</summary>
    public static (byte R, byte G, byte B)? Find(ReadOnlySpan<byte> gif)
    {
        if (gif.Length < HeaderLength)
            return null;
        var position = HeaderLength;
        var globalPalette = ReadPalette(gif, gif[10], ref position);
        int? transparentIndex = null;
        while (position < gif.Length)
        {
            var introducer = gif[position++];
            if (introducer == ImageSeparator)
            {
                if (position + 9 > gif.Length)
                    return null;
                var descriptorEnd = position + 9;
                var localPalette = ReadPalette(gif, gif[position + 8], ref descriptorEnd);
                return Colour(localPalette.IsEmpty ? globalPalette : localPalette, transparentIndex ?? 0);
            }
            if (introducer != ExtensionIntroducer || position >= gif.Length)
                return null;
            var label = gif[position++];
            // Pillow keeps the transparent index of the last graphic control block that sets one.
            if (label == GraphicControlLabel && position + 5 <= gif.Length && gif[position] >= 4 && (gif[position + 1] & 1) != 0)
                transparentIndex = gif[position + 4];
            if (!SkipSubBlocks(gif, ref position))
                return null;
        }
        return null;
    }

    /// <summary>A colour table announced by bit 7 of <paramref name="flags"/>, starting at <paramref name="position"/>.</summary>
    private static ReadOnlySpan<byte> ReadPalette(ReadOnlySpan<byte> gif, byte flags, ref int position)
    {
        if ((flags & 0x80) == 0)
            return [];
        var length = 3 << ((flags & 7) + 1);
        var palette = gif.Slice(Math.Min(position, gif.Length), Math.Clamp(gif.Length - position, 0, length));
        position += length;
        return palette;
    }

    private static bool SkipSubBlocks(ReadOnlySpan<byte> gif, ref int position)
    {
        while (position < gif.Length)
        {
            var size = gif[position++];
            if (size == 0)
                return true;
            position += size;
        }
        return false;
    }

    /// <summary>Pillow's palettes start as a grey ramp, so an index past the table (or without one) is grey.</summary>
    private static (byte R, byte G, byte B) Colour(ReadOnlySpan<byte> palette, int index) =>
        3 * index + 2 < palette.Length ? (palette[3 * index], palette[3 * index + 1], palette[3 * index + 2]) : ((byte)index, (byte)index, (byte)index);
}
