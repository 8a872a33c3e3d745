using SkiaSharp;

namespace EmbeddingService.Cli.Evaluation;

/// <summary>
/// The edits a copy of an image goes through in a copy-detection benchmark, each drawn from a seeded <see cref="Random"/>
/// so that the same seed gives the same copy. Every transform returns a new opaque RGBA bitmap and leaves its source alone.
/// <list type="bullet">
/// <item><c>crop</c>: 50–90 % of the area, aspect ratio changed by up to 4:3 either way, anywhere in the picture.</item>
/// <item><c>rotate90</c>, <c>rotate180</c>, <c>rotate270</c>: clockwise quarter turns.</item>
/// <item><c>rotate-small</c>: 5–20° either way about the centre, same canvas, uncovered corners mid-grey.</item>
/// <item><c>rescale</c>: both sides scaled by 0.3–0.7 (cubic).</item>
/// <item><c>jpeg</c>: re-encoded as JPEG at quality 10–50.</item>
/// <item><c>color</c>: brightness ×0.6–1.4, contrast ×0.6–1.4 about mid-grey, saturation ×0.4–1.6.</item>
/// <item><c>grayscale</c>: ITU-R 601 luma in all three channels.</item>
/// <item><c>blur</c>: Gaussian, sigma 1–3 px at the 224 px scale the model sees (scaled with the shorter side).</item>
/// <item><c>text</c>: a caption of 2–4 words, 8–16 % of the height, random colour with a contrasting outline, random place.</item>
/// <item><c>flip</c>: horizontal mirror.</item>
/// <item><c>combo</c>: crop, then color, then text, then jpeg.</item>
/// </list>
/// </summary>
public static class CopyTransforms
{
    public static IReadOnlyList<string> Names { get; } =
        ["crop", "rotate90", "rotate180", "rotate270", "rotate-small", "rescale", "jpeg", "color", "grayscale", "blur", "text", "flip", "combo"];

    private static readonly string[] CaptionWords =
        ["copy", "sample", "photo", "for sale", "© 2024", "not original", "hello", "www.example.com", "repost", "daily", "meme", "#1"];

    private static readonly SKColor CornerFill = new(128, 128, 128);

    public static SKBitmap Apply(string name, SKBitmap source, Random random) => name switch
    {
        "crop" => Crop(source, random),
        "rotate90" => RotateQuarterTurns(source, 1),
        "rotate180" => RotateQuarterTurns(source, 2),
        "rotate270" => RotateQuarterTurns(source, 3),
        "rotate-small" => RotateSmall(source, random),
        "rescale" => Rescale(source, Uniform(random, 0.3, 0.7)),
        "jpeg" => Jpeg(source, random.Next(10, 51)),
        "color" => Color(source, random),
        "grayscale" => Grayscale(source),
        "blur" => Blur(source, random),
        "text" => Caption(source, random),
        "flip" => Flip(source),
        "combo" => Combo(source, random),
        _ => throw new ArgumentException($"unknown transform '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>The transforms a comma-separated list names, each checked against <see cref="Names"/>.</summary>
    public static IReadOnlyList<string> Parse(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        if (names.Length == 0)
            throw new ArgumentException("--transforms names no transform");
        if (names.FirstOrDefault(n => !Names.Contains(n)) is { } unknown)
            throw new ArgumentException($"--transforms: unknown transform '{unknown}' (known: {string.Join(", ", Names)})");
        return names;
    }

    public static SKBitmap Crop(SKBitmap source, Random random)
    {
        var area = Uniform(random, 0.5, 0.9) * source.Width * source.Height;
        var aspect = Math.Exp(Uniform(random, Math.Log(3.0 / 4), Math.Log(4.0 / 3))) * source.Width / source.Height;
        var width = Math.Clamp((int)Math.Round(Math.Sqrt(area * aspect)), 1, source.Width);
        var height = Math.Clamp((int)Math.Round(area / width), 1, source.Height);
        var left = random.Next(source.Width - width + 1);
        var top = random.Next(source.Height - height + 1);
        return Draw(width, height, canvas => canvas.DrawBitmap(source, -left, -top));
    }

    /// <summary><paramref name="turns"/> clockwise quarter turns: one or three swap width and height.</summary>
    public static SKBitmap RotateQuarterTurns(SKBitmap source, int turns)
    {
        var swapped = turns % 2 == 1;
        var (width, height) = swapped ? (source.Height, source.Width) : (source.Width, source.Height);
        return Draw(width, height, canvas =>
        {
            canvas.Translate(width / 2f, height / 2f);
            canvas.RotateDegrees(90 * turns);
            canvas.DrawBitmap(source, -source.Width / 2f, -source.Height / 2f);
        });
    }

    public static SKBitmap RotateSmall(SKBitmap source, Random random)
    {
        var degrees = Uniform(random, 5, 20) * (random.Next(2) == 0 ? -1 : 1);
        return Draw(source.Width, source.Height, canvas =>
        {
            canvas.Clear(CornerFill);
            canvas.Translate(source.Width / 2f, source.Height / 2f);
            canvas.RotateDegrees((float)degrees);
            using var image = SKImage.FromBitmap(source);
            canvas.DrawImage(image, -source.Width / 2f, -source.Height / 2f, new SKSamplingOptions(SKFilterMode.Linear));
        });
    }

    public static SKBitmap Rescale(SKBitmap source, double factor)
    {
        var info = Opaque(Math.Max(1, (int)Math.Round(source.Width * factor)), Math.Max(1, (int)Math.Round(source.Height * factor)));
        return source.Resize(info, new SKSamplingOptions(SKCubicResampler.Mitchell));
    }

    public static SKBitmap Jpeg(SKBitmap source, int quality)
    {
        using var image = SKImage.FromBitmap(source);
        using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, quality);
        using var decoded = SKBitmap.Decode(encoded);
        return decoded.Copy(SKColorType.Rgba8888);
    }

    public static SKBitmap Color(SKBitmap source, Random random)
    {
        var brightness = Uniform(random, 0.6, 1.4);
        var contrast = Uniform(random, 0.6, 1.4);
        var saturation = Uniform(random, 0.4, 1.6);
        return MapPixels(source, (r, g, b) =>
        {
            double Adjust(double v) => (v * brightness - 128) * contrast + 128;
            var (ar, ag, ab) = (Adjust(r), Adjust(g), Adjust(b));
            var luma = Luma(ar, ag, ab);
            return (ToByte(luma + (ar - luma) * saturation), ToByte(luma + (ag - luma) * saturation), ToByte(luma + (ab - luma) * saturation));
        });
    }

    public static SKBitmap Grayscale(SKBitmap source) => MapPixels(source, (r, g, b) =>
    {
        var gray = ToByte(Luma(r, g, b));
        return (gray, gray, gray);
    });

    public static SKBitmap Blur(SKBitmap source, Random random)
    {
        var sigma = (float)(Uniform(random, 1, 3) * Math.Min(source.Width, source.Height) / 224);
        return Draw(source.Width, source.Height, canvas =>
        {
            using var blur = SKImageFilter.CreateBlur(sigma, sigma, SKShaderTileMode.Clamp);
            using var paint = new SKPaint { ImageFilter = blur };
            canvas.DrawBitmap(source, 0, 0, paint);
        });
    }

    /// <summary>Draws a caption over the picture; throws when no installed font can draw it, rather than leave the copy unchanged.</summary>
    public static SKBitmap Caption(SKBitmap source, Random random)
    {
        var words = Enumerable.Range(0, random.Next(2, 5)).Select(_ => CaptionWords[random.Next(CaptionWords.Length)]);
        var text = string.Join(' ', words);
        using var font = new SKFont(SKTypeface.Default, (float)Math.Max(8, Uniform(random, 0.08, 0.16) * source.Height));
        if (!font.ContainsGlyphs(text))
            throw new EvaluationException("the text transform found no font that can draw its caption; install one (e.g. fonts-dejavu-core) or leave 'text' and 'combo' out of --transforms");
        var colour = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        var outline = Luma(colour.Red, colour.Green, colour.Blue) < 128 ? SKColors.White : SKColors.Black;
        var x = (float)(random.NextDouble() * source.Width * 0.6);
        var y = (float)(font.Size + random.NextDouble() * Math.Max(0, source.Height - font.Size));
        return Draw(source.Width, source.Height, canvas =>
        {
            canvas.DrawBitmap(source, 0, 0);
            using var stroke = new SKPaint { Color = outline, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1, font.Size / 12) };
            using var fill = new SKPaint { Color = colour, IsAntialias = true };
            canvas.DrawText(text, x, y, font, stroke);
            canvas.DrawText(text, x, y, font, fill);
        });
    }

    public static SKBitmap Flip(SKBitmap source) => Draw(source.Width, source.Height, canvas =>
    {
        canvas.Scale(-1, 1, source.Width / 2f, 0);
        canvas.DrawBitmap(source, 0, 0);
    });

    public static SKBitmap Combo(SKBitmap source, Random random)
    {
        using var cropped = Crop(source, random);
        using var coloured = Color(cropped, random);
        using var captioned = Caption(coloured, random);
        return Jpeg(captioned, random.Next(10, 51));
    }

    private static double Uniform(Random random, double low, double high) => low + random.NextDouble() * (high - low);

    private static double Luma(double r, double g, double b) => 0.299 * r + 0.587 * g + 0.114 * b;

    private static byte ToByte(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);

    private static SKImageInfo Opaque(int width, int height) => new(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);

    private static SKBitmap Draw(int width, int height, Action<SKCanvas> draw)
    {
        var bitmap = new SKBitmap(Opaque(width, height));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Black);
        draw(canvas);
        return bitmap;
    }

    private static SKBitmap MapPixels(SKBitmap source, Func<byte, byte, byte, (byte R, byte G, byte B)> map)
    {
        var result = source.Copy(SKColorType.Rgba8888);
        var pixels = result.GetPixelSpan();
        for (var i = 0; i < pixels.Length; i += 4)
            (pixels[i], pixels[i + 1], pixels[i + 2]) = map(pixels[i], pixels[i + 1], pixels[i + 2]);
        return result;
    }
}
