namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// Pillow's 8-bit RGB↔HSV conversions (<c>convert('HSV')</c> and back), with their mix of float32 and double
/// arithmetic and truncations: the round trip is lossy, and matching it is what makes <c>adjust_hue</c> exact.
/// </summary>
internal static class PillowHsv
{
    public static (byte Hue, byte Saturation, byte Value) FromRgb(byte red, byte green, byte blue)
    {
        var max = Math.Max(red, Math.Max(green, blue));
        var min = Math.Min(red, Math.Min(green, blue));
        if (max == min)
            return (0, 0, max);
        var range = (float)(max - min);
        var saturation = range / max;
        var redDistance = (max - red) / range;
        var greenDistance = (max - green) / range;
        var blueDistance = (max - blue) / range;
        float hue;
        if (red == max)
            hue = blueDistance - greenDistance;
        else if (green == max)
            hue = (float)(2.0 + redDistance - blueDistance);
        else
            hue = (float)(4.0 + greenDistance - redDistance);
        hue = (float)((hue / 6.0 + 1.0) % 1.0);
        return (ClipToByte((int)(hue * 255.0)), ClipToByte((int)(saturation * 255.0)), max);
    }

    public static (byte Red, byte Green, byte Blue) ToRgb(byte hue, byte saturation, byte value)
    {
        if (saturation == 0)
            return (value, value, value);
        var sector = (int)Math.Floor(hue * 6.0 / 255.0);
        var fraction = (float)(hue * 6.0 / 255.0 - sector);
        var saturationFraction = (float)(saturation / 255.0);
        var p = ClipToByte(RoundHalfAway(value * (1.0 - saturationFraction)));
        var q = ClipToByte(RoundHalfAway(value * (1.0 - saturationFraction * fraction)));
        var t = ClipToByte(RoundHalfAway(value * (1.0 - saturationFraction * (1.0 - fraction))));
        return (sector % 6) switch
        {
            0 => (value, t, p),
            1 => (q, value, p),
            2 => (p, value, t),
            3 => (p, q, value),
            4 => (t, p, value),
            _ => (value, p, q),
        };
    }

    private static int RoundHalfAway(double x) => (int)Math.Round(x, MidpointRounding.AwayFromZero);

    private static byte ClipToByte(int x) => (byte)Math.Clamp(x, 0, 255);
}
