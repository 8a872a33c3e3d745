using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// torchvision <c>ColorJitter</c>: a random order of the four adjustments and a uniform factor for each, then every
/// adjustment runs, in that order, on the previous one's result. Order matters: the ops do not commute in 8 bits.
/// </summary>
public static class ColorJitter
{
    public static ColorJitterDraw Draw(ColorJitterStrength strength, IAugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(strength);
        ArgumentNullException.ThrowIfNull(random);
        var order = new[] { ColorJitterOp.Brightness, ColorJitterOp.Contrast, ColorJitterOp.Saturation, ColorJitterOp.Hue };
        for (var i = order.Length - 1; i > 0; i--)
        {
            var k = random.Integer(0, i + 1);
            (order[i], order[k]) = (order[k], order[i]);
        }
        return new ColorJitterDraw(
            order,
            random.Uniform(1 - strength.Brightness, 1 + strength.Brightness),
            random.Uniform(1 - strength.Contrast, 1 + strength.Contrast),
            random.Uniform(1 - strength.Saturation, 1 + strength.Saturation),
            random.Uniform(-strength.Hue, strength.Hue));
    }

    /// <summary>Runs the draw's adjustments in its order, in place.</summary>
    public static void Apply(RgbImage image, ColorJitterDraw draw)
    {
        ArgumentNullException.ThrowIfNull(draw);
        foreach (var op in draw.Order)
        {
            switch (op)
            {
                case ColorJitterOp.Brightness: ColorEnhance.AdjustBrightness(image, draw.Brightness); break;
                case ColorJitterOp.Contrast: ColorEnhance.AdjustContrast(image, draw.Contrast); break;
                case ColorJitterOp.Saturation: ColorEnhance.AdjustSaturation(image, draw.Saturation); break;
                case ColorJitterOp.Hue: HueAdjustment.Apply(image, draw.Hue); break;
                default: throw new ArgumentOutOfRangeException(nameof(draw), op, "unknown ColorJitter op");
            }
        }
    }
}
