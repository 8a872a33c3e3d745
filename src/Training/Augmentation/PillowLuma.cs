namespace EmbeddingService.Training.Augmentation;

/// <summary>Pillow's <c>convert('L')</c> of one RGB pixel: ITU-R 601-2 weights in 16-bit fixed point, rounded.</summary>
internal static class PillowLuma
{
    public static byte Of(byte red, byte green, byte blue) => (byte)((red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16);
}
