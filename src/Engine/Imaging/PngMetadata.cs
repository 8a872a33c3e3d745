using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Unicode;

namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// What Pillow 9.4 takes from a PNG's chunks besides the pixels: it refuses a bad CRC on any chunk before the
/// first IDAT (libpng only warns on ancillary ones), and its <c>exif_transpose</c> orientation comes from the
/// eXIf chunk, else a "Raw profile type exif" text, else the XMP text "XML:com.adobe.xmp" (Skia reads none of them).
/// </summary>
internal sealed class PngMetadata
{
    private const int SignatureLength = 8;
    private const int ChunkOverhead = 12;
    private const int MaxTextBytes = 1024 * 1024; // Pillow's MAX_TEXT_CHUNK: a larger inflated text is an error

    private byte[]? _exif;
    private string? _rawExifProfile;
    private byte[]? _xmp;

    private PngMetadata()
    {
    }

    /// <exception cref="ImageDecodeException">A chunk before the image data has a bad CRC, or metadata Pillow refuses.</exception>
    public static int? ReadOrientation(ReadOnlySpan<byte> png)
    {
        var metadata = new PngMetadata();
        var afterImageData = new List<Range>();
        var seenImageData = false;
        var position = SignatureLength;
        while (position + ChunkOverhead <= png.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(png[position..]);
            if (length > (uint)(png.Length - position - ChunkOverhead))
                break; // truncated: the pixel decoder reports it
            var type = png.Slice(position + 4, 4);
            var chunk = new Range(position, position + ChunkOverhead + (int)length);
            position = chunk.End.Value;
            if (type.SequenceEqual("IEND"u8))
                break;
            if (type.SequenceEqual("IDAT"u8))
            {
                seenImageData = true;
                continue;
            }
            if (seenImageData)
            {
                afterImageData.Add(chunk);
                continue;
            }
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png[(chunk.End.Value - 4)..]);
            if (Crc32.Compute(png.Slice(chunk.Start.Value + 4, 4 + (int)length)) != crc)
                throw new ImageDecodeException(ImageDecodeError.Corrupt, $"the PNG {Encoding.ASCII.GetString(type)} chunk has a bad CRC");
            metadata.Add(png[chunk]);
        }
        // Pillow reads the chunks after the image data only when it loads the pixels, which getexif does only
        // when no eXIf chunk came before them.
        if (metadata._exif is null)
        {
            foreach (var chunk in afterImageData)
                metadata.Add(png[chunk]);
        }
        return metadata.Orientation();
    }

    private int? Orientation()
    {
        var exif = _exif ?? (_rawExifProfile is null ? null : RawProfileBytes(_rawExifProfile));
        var orientation = exif is null ? null : ExifOrientation.Read(exif);
        return orientation ?? (_xmp is null ? null : XmpOrientation.Find(_xmp));
    }

    private void Add(ReadOnlySpan<byte> chunk)
    {
        var type = chunk.Slice(4, 4);
        var data = chunk[8..^4];
        if (type.SequenceEqual("eXIf"u8))
            _exif = data.ToArray();
        else if (type.SequenceEqual("tEXt"u8))
            AddText(data, compression: null);
        else if (type.SequenceEqual("zTXt"u8))
            AddText(data, compression: 0);
        else if (type.SequenceEqual("iTXt"u8))
            AddInternationalText(data);
    }

    private void AddText(ReadOnlySpan<byte> data, int? compression)
    {
        var keywordEnd = data.IndexOf((byte)0);
        if (keywordEnd <= 0)
            return;
        var keyword = data[..keywordEnd];
        var text = data[(keywordEnd + 1)..];
        if (compression is not null)
        {
            if (text.IsEmpty || text[0] != 0)
                throw new ImageDecodeException(ImageDecodeError.Corrupt, "a PNG zTXt chunk has an unknown compression method");
            text = Inflate(text[1..]);
        }
        Store(keyword, text);
    }

    private void AddInternationalText(ReadOnlySpan<byte> data)
    {
        var keywordEnd = data.IndexOf((byte)0);
        if (keywordEnd <= 0 || data.Length < keywordEnd + 3)
            return;
        var keyword = data[..keywordEnd];
        var (compressed, method) = (data[keywordEnd + 1], data[keywordEnd + 2]);
        var rest = data[(keywordEnd + 3)..];
        var languageEnd = rest.IndexOf((byte)0);
        if (languageEnd < 0)
            return;
        var translatedEnd = rest[(languageEnd + 1)..].IndexOf((byte)0);
        if (translatedEnd < 0)
            return;
        var text = rest[(languageEnd + 1 + translatedEnd + 1)..];
        if (compressed != 0)
        {
            // Pillow ignores an iTXt with an unknown compression method.
            if (method != 0)
                return;
            text = Inflate(text);
        }
        // Pillow ignores an iTXt whose texts are not UTF-8.
        if (Utf8.IsValid(rest[..languageEnd]) && Utf8.IsValid(rest.Slice(languageEnd + 1, translatedEnd)) && Utf8.IsValid(text))
            Store(keyword, text);
    }

    private void Store(ReadOnlySpan<byte> keyword, ReadOnlySpan<byte> text)
    {
        if (keyword.SequenceEqual("XML:com.adobe.xmp"u8))
            _xmp = text.ToArray();
        else if (keyword.SequenceEqual("Raw profile type exif"u8))
            _rawExifProfile = Encoding.Latin1.GetString(text);
    }

    private static byte[] Inflate(ReadOnlySpan<byte> compressed)
    {
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed.ToArray()), CompressionMode.Decompress);
            var buffer = new byte[MaxTextBytes + 1];
            var filled = zlib.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (filled > MaxTextBytes)
                throw new ImageDecodeException(ImageDecodeError.Corrupt, $"a compressed PNG text inflates to more than {MaxTextBytes} bytes");
            return buffer[..filled];
        }
        catch (InvalidDataException e)
        {
            throw new ImageDecodeException(ImageDecodeError.Corrupt, $"a compressed PNG text cannot be inflated: {e.Message}");
        }
    }

    /// <summary>ImageMagick's profile text: a blank line, the name, the length, then hex digits from the fourth line on.</summary>
    private static byte[] RawProfileBytes(string profile)
    {
        var hex = string.Concat(profile.Split('\n').Skip(3).SelectMany(line => line.Where(c => !IsPythonWhitespace(c))));
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new ImageDecodeException(ImageDecodeError.Corrupt, "the PNG \"Raw profile type exif\" text is not hexadecimal");
        }
    }

    private static bool IsPythonWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';
}
