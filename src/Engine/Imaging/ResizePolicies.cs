namespace EmbeddingService.Engine.Imaging;

/// <summary>Builds a resize policy from its kind and sizes.</summary>
public static class ResizePolicies
{
    /// <summary>
    /// center-crop: crop <paramref name="size"/> after resizing the shorter side to <paramref name="secondary"/>
    /// (default size·256/224, the paper's ratio: 224→256, 448→512, 518→592). keep-aspect: shorter side
    /// <paramref name="size"/>, longer side at most <paramref name="secondary"/> (default 2·size).
    /// </summary>
    public static IResizePolicy Create(ResizePolicy policy, int size = 224, int? secondary = null, int patchSize = 14) => policy switch
    {
        ResizePolicy.CenterCrop => new CenterCropPolicy(secondary ?? (int)Math.Round(size * 256.0 / 224.0), size),
        ResizePolicy.KeepAspect => new KeepAspectPolicy(size, secondary ?? 2 * size, patchSize),
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "not a resize policy"),
    };
}
