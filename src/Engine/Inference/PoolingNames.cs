namespace EmbeddingService.Engine.Inference;

/// <summary>The wire names of <see cref="Pooling"/>: cls, mean, cls+mean.</summary>
public static class PoolingNames
{
    public static string ToName(this Pooling pooling) => pooling switch
    {
        Pooling.Cls => "cls",
        Pooling.Mean => "mean",
        Pooling.ClsMean => "cls+mean",
        _ => throw new ArgumentOutOfRangeException(nameof(pooling)),
    };

    public static bool TryParse(string? name, out Pooling pooling)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "cls": pooling = Pooling.Cls; return true;
            case "mean": pooling = Pooling.Mean; return true;
            case "cls+mean" or "cls_mean" or "clsmean": pooling = Pooling.ClsMean; return true;
            default: pooling = default; return false;
        }
    }

    public static Pooling Parse(string name) => TryParse(name, out var pooling)
        ? pooling
        : throw new ArgumentException($"unknown pooling '{name}'; expected cls, mean or cls+mean");

    public static int Width(this Pooling pooling, int embedDim) => pooling == Pooling.ClsMean ? 2 * embedDim : embedDim;
}
