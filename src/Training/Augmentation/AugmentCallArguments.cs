using System.Globalization;
using System.Text.RegularExpressions;

namespace EmbeddingService.Training.Augmentation;

/// <summary>Reads the parameters of an augment-parity op case from its recorded Python call, e.g. <c>adjust_hue(img, -0.1)</c>.</summary>
internal static partial class AugmentCallArguments
{
    /// <summary>The torchvision function an op case calls: <c>...functional.adjust_hue</c> gives <c>adjust_hue</c>.</summary>
    public static string? FunctionName(string op) => FunctionPattern().Match(op) is { Success: true } match ? match.Groups["name"].Value : null;

    /// <summary>The factor of <c>adjust_*(img, factor)</c>.</summary>
    public static double Factor(string call) => Number(FactorPattern().Match(call), "value", call);

    /// <summary>The sigma and kernel size of <c>gaussian_blur(img, kernel_size=[k, k], sigma=[s, s])</c>; both must be square.</summary>
    public static (double Sigma, int KernelSize) Blur(string call)
    {
        var sigma = SigmaPattern().Match(call);
        var kernel = KernelPattern().Match(call);
        var (sigmaX, sigmaY) = (Number(sigma, "x", call), Number(sigma, "y", call));
        var (kernelX, kernelY) = ((int)Number(kernel, "x", call), (int)Number(kernel, "y", call));
        if (sigmaX != sigmaY || kernelX != kernelY)
            throw new NotSupportedException($"only square blurs are supported: {call}");
        return (sigmaX, kernelX);
    }

    /// <summary>The threshold of <c>solarize(img, threshold=t)</c> as the smallest inverted integer value.</summary>
    public static int SolarizeThreshold(string call) => (int)Math.Ceiling(Number(ThresholdPattern().Match(call), "value", call));

    private static double Number(Match match, string group, string call) =>
        match.Success
            ? double.Parse(match.Groups[group].Value, NumberStyles.Float, CultureInfo.InvariantCulture)
            : throw new InvalidDataException($"cannot read the parameters of '{call}'");

    [GeneratedRegex(@"functional\.(?<name>\w+)")]
    private static partial Regex FunctionPattern();

    [GeneratedRegex(@"\(img,\s*(?<value>[-+0-9.eE]+)\)")]
    private static partial Regex FactorPattern();

    [GeneratedRegex(@"sigma=\[(?<x>[-+0-9.eE]+),\s*(?<y>[-+0-9.eE]+)\]")]
    private static partial Regex SigmaPattern();

    [GeneratedRegex(@"kernel_size=\[(?<x>\d+),\s*(?<y>\d+)\]")]
    private static partial Regex KernelPattern();

    [GeneratedRegex(@"threshold=(?<value>[-+0-9.eE]+)")]
    private static partial Regex ThresholdPattern();
}
