using System.Text.Json;

namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// Reads the draws the augment-parity fixtures record for one official crop: <c>box_ijhw</c>, <c>size</c>, <c>flip</c>,
/// <c>jitter</c> (<c>order</c> names and <c>factors</c>, or null), <c>grayscale</c>, <c>blur_sigma</c> and <c>solarize</c>.
/// </summary>
public static class RecordedCropDraws
{
    public static CropDraws Parse(JsonElement draws, CropKind kind)
    {
        var ijhw = draws.GetProperty("box_ijhw").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var size = draws.GetProperty("size");
        return new CropDraws(
            kind,
            new CropBox(ijhw[0], ijhw[1], ijhw[2], ijhw[3]),
            SquareSize(size),
            draws.GetProperty("flip").GetBoolean(),
            draws.GetProperty("jitter") is { ValueKind: JsonValueKind.Object } jitter ? ParseJitter(jitter) : null,
            draws.GetProperty("grayscale").GetBoolean(),
            draws.GetProperty("blur_sigma") is { ValueKind: JsonValueKind.Number } sigma ? sigma.GetDouble() : null,
            draws.TryGetProperty("solarize", out var solarize) && solarize.GetBoolean());
    }

    /// <summary>A ColorJitter draw from its recorded factors (keyed by op name) and the order its ops ran in.</summary>
    public static ColorJitterDraw ParseJitter(JsonElement factors, IEnumerable<ColorJitterOp> order) =>
        new(order.ToArray(),
            factors.GetProperty("brightness").GetDouble(),
            factors.GetProperty("contrast").GetDouble(),
            factors.GetProperty("saturation").GetDouble(),
            factors.GetProperty("hue").GetDouble());

    /// <summary>An output size given as <c>224</c> or <c>[224, 224]</c>; crops are square.</summary>
    public static int SquareSize(JsonElement size)
    {
        if (size.ValueKind == JsonValueKind.Number)
            return size.GetInt32();
        var sides = size.EnumerateArray().Select(v => v.GetInt32()).Distinct().ToArray();
        return sides.Length == 1 ? sides[0] : throw new NotSupportedException($"only square crops are supported, got size {size}");
    }

    private static ColorJitterDraw ParseJitter(JsonElement jitter) =>
        ParseJitter(jitter.GetProperty("factors"), jitter.GetProperty("order").EnumerateArray().Select(v => OpNamed(v.GetString())));

    private static ColorJitterOp OpNamed(string? name) =>
        Enum.TryParse<ColorJitterOp>(name, ignoreCase: true, out var op) && Enum.IsDefined(op)
            ? op
            : throw new InvalidDataException($"unknown ColorJitter op '{name}'");
}
