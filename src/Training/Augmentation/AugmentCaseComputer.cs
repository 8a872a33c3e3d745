using System.Text.Json;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Training.Verification;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// Computes one augment-parity case from its recorded call: an op applied to its input (an inputs/*.npy array or a
/// source image), or an official crop replayed from its draws. Returns the arrays under the manifest's file keys.
/// </summary>
internal sealed class AugmentCaseComputer(CaseFolder folder)
{
    private readonly ImageDecoder _decoder = new();
    private readonly Dictionary<string, RgbImage> _sources = [];

    public Dictionary<string, Tensor> Compute(JsonElement spec)
    {
        if (spec.TryGetProperty("draws", out var draws))
            return Chain(spec, draws);
        var op = spec.GetProperty("op").GetString() ?? "";
        if (op.Contains("ColorJitter", StringComparison.Ordinal))
            return Transformed(spec, image => ColorJitter.Apply(image, RecordedCropDraws.ParseJitter(
                spec.GetProperty("factors"), spec.GetProperty("fn_idx").EnumerateArray().Select(v => (ColorJitterOp)v.GetInt32()))));
        var call = spec.GetProperty("call").GetString() ?? "";
        return AugmentCallArguments.FunctionName(op) switch
        {
            "resized_crop" => ResizedCropOutputs(spec),
            "hflip" => Transformed(spec, HorizontalFlip.Apply),
            "adjust_brightness" => Transformed(spec, image => ColorEnhance.AdjustBrightness(image, AugmentCallArguments.Factor(call))),
            "adjust_contrast" => Transformed(spec, image => ColorEnhance.AdjustContrast(image, AugmentCallArguments.Factor(call))),
            "adjust_saturation" => Transformed(spec, image => ColorEnhance.AdjustSaturation(image, AugmentCallArguments.Factor(call))),
            "adjust_hue" => Transformed(spec, image => HueAdjustment.Apply(image, AugmentCallArguments.Factor(call))),
            "rgb_to_grayscale" => Transformed(spec, Grayscale.Apply),
            "gaussian_blur" => Transformed(spec, image =>
            {
                var (sigma, kernelSize) = AugmentCallArguments.Blur(call);
                GaussianBlur.Apply(image, sigma, kernelSize);
            }),
            "solarize" => Transformed(spec, image => Solarize.Apply(image, AugmentCallArguments.SolarizeThreshold(call))),
            _ => throw new NotSupportedException($"unknown augment op '{op}'"),
        };
    }

    private Dictionary<string, Tensor> Transformed(JsonElement spec, Action<RgbImage> op)
    {
        var image = Input(spec);
        if (!spec.TryGetProperty("input", out _))
            image = new RgbImage(image.Width, image.Height, (byte[])image.Pixels.Clone());
        op(image);
        return new() { ["output"] = RgbImageTensors.ToHwc(image) };
    }

    private Dictionary<string, Tensor> ResizedCropOutputs(JsonElement spec)
    {
        var ijhw = spec.GetProperty("box_ijhw").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var box = new CropBox(ijhw[0], ijhw[1], ijhw[2], ijhw[3]);
        var source = Input(spec);
        return new()
        {
            ["output"] = RgbImageTensors.ToHwc(ResizedCrop.Apply(source, box, RecordedCropDraws.SquareSize(spec.GetProperty("size")))),
            ["input_box"] = RgbImageTensors.ToHwc(ResizedCrop.Crop(source, box)),
        };
    }

    private Dictionary<string, Tensor> Chain(JsonElement spec, JsonElement recorded)
    {
        var op = spec.TryGetProperty("op", out var description) ? description.GetString() ?? "" : "";
        var kind = op.Contains("local_crops", StringComparison.Ordinal) ? CropKind.Local
            : op.Contains("global_crops'][1]", StringComparison.Ordinal) ? CropKind.Global2
            : CropKind.Global1;
        var draws = RecordedCropDraws.Parse(recorded, kind);
        var crop = CropRenderer.Geometric(Input(spec), draws);
        var outputs = new Dictionary<string, Tensor> { ["after_crop_flip"] = RgbImageTensors.ToHwc(crop) };
        CropRenderer.Photometric(crop, draws);
        outputs["before_normalize"] = RgbImageTensors.ToHwc(crop);
        outputs["output"] = NormalizedTensor.Of(crop);
        return outputs;
    }

    /// <summary>A fresh copy of the case's input array, or its source image (shared: only read, never changed in place).</summary>
    private RgbImage Input(JsonElement spec)
    {
        if (spec.TryGetProperty("input", out var input))
        {
            using var hwc = folder.ReadNpy(input.GetString()!);
            return RgbImageTensors.FromHwc(hwc);
        }
        var name = spec.GetProperty("source_image").GetString()!;
        if (!_sources.TryGetValue(name, out var source))
            _sources[name] = source = _decoder.Decode(File.ReadAllBytes(Path.Combine(folder.ImagesDirectory, name)));
        return source;
    }
}
