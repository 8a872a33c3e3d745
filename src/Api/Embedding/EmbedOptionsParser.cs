using EmbeddingService.Engine.Text;
using System.Globalization;
using System.Text.Json;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Problems;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Api.Embedding;

/// <summary>Reads embedding options from name/value pairs (query string or JSON "options"), over the configured defaults.</summary>
public sealed class EmbedOptionsParser(ServingOptions serving, int patchSize, int numRegisters)
{
    /// <summary>The largest resolution a request may ask for.</summary>
    public const int MaxResolution = 2048;

    public static readonly string[] Names = ["pooling", "normalize", "policy", "resolution", "patch_features"];

    public EmbedRequestOptions Defaults => new(Pooling.Cls, true, serving.Policy, serving.Resolution, false);

    /// <summary>The largest center crop within Serving:MaxImageTokens for this model (cls, registers and the grid).</summary>
    public int MaxCenterCrop => MaxCenterCropOf(patchSize, numRegisters, serving.MaxImageTokens);

    /// <summary>Tokens of a center crop: cls, the registers and the patch grid.</summary>
    public static int CenterCropTokens(int resolution, int patchSize, int numRegisters) =>
        1 + numRegisters + (resolution / patchSize) * (resolution / patchSize);

    public static int MaxCenterCropOf(int patchSize, int numRegisters, int maxImageTokens)
    {
        var side = (int)Math.Sqrt(Math.Max(0, maxImageTokens - 1 - numRegisters));
        return Math.Min(side * patchSize, MaxResolution / patchSize * patchSize);
    }

    /// <summary>
    /// The options unless they ask for a center crop larger than <see cref="MaxCenterCrop"/>: every image would be
    /// refused, so the request is (invalid_argument naming the largest crop) before any image is read.
    /// </summary>
    public EmbedRequestOptions Checked(EmbedRequestOptions options)
    {
        if (options.Policy != ResizePolicy.CenterCrop || options.Resolution <= MaxCenterCrop) return options;
        throw new ApiRequestError(ApiProblems.InvalidArgument,
            $"option 'resolution' is '{options.Resolution}': a center crop of that size is {CenterCropTokens(options.Resolution, patchSize, numRegisters)} tokens, over the " +
            $"{serving.MaxImageTokens} of Serving:MaxImageTokens; the largest center crop is {MaxCenterCrop}");
    }

    /// <summary>Throws <see cref="ApiRequestError"/> (invalid_argument) naming a bad or unknown option.</summary>
    public EmbedRequestOptions Parse(IEnumerable<KeyValuePair<string, string?>> values, EmbedRequestOptions? start = null)
    {
        var options = start ?? Defaults;
        foreach (var (name, value) in values)
        {
            switch (name.ToLowerInvariant())
            {
                case "pooling":
                    options = options with { Pooling = PoolingNames.TryParse(value, out var pooling) ? pooling : throw Invalid(name, value, "cls, mean or cls+mean") };
                    break;
                case "normalize":
                    options = options with { Normalize = ParseBool(name, value) };
                    break;
                case "patch_features":
                    options = options with { PatchFeatures = ParseBool(name, value) };
                    break;
                case "policy":
                    options = options with { Policy = KebabCaseNames<ResizePolicy>.TryParse(value, out var policy) ? policy : throw Invalid(name, value, KebabCaseNames<ResizePolicy>.Expected) };
                    break;
                case "resolution":
                    options = options with { Resolution = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? Resolution(r) : throw InvalidResolution(value) };
                    break;
                default:
                    throw new ApiRequestError(ApiProblems.InvalidArgument, $"unknown option '{name}'; expected {string.Join(", ", Names)}");
            }
        }
        return Checked(options);
    }

    /// <summary>The options of a JSON object (strings as they are, other values as JSON text); any other member but <paramref name="notOptions"/> is refused.</summary>
    public EmbedRequestOptions Parse(JsonElement options, EmbedRequestOptions? start = null, IReadOnlyCollection<string>? notOptions = null) =>
        Parse(options.EnumerateObject().Where(p => notOptions?.Contains(p.Name) != true).Select(p => KeyValuePair.Create(p.Name, (string?)(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText()))), start);

    /// <summary>A requested resolution: a multiple of the patch size up to <see cref="MaxResolution"/>.</summary>
    public int Resolution(int resolution) =>
        resolution >= patchSize && resolution <= MaxResolution && resolution % patchSize == 0 ? resolution : throw InvalidResolution(resolution.ToString(CultureInfo.InvariantCulture));

    private ApiRequestError InvalidResolution(string? value) => Invalid("resolution", value, $"a multiple of {patchSize} between {patchSize} and {MaxResolution}");

    private static bool ParseBool(string name, string? value) => value?.ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw Invalid(name, value, "true or false"),
    };

    private static ApiRequestError Invalid(string name, string? value, string expected) =>
        new(ApiProblems.InvalidArgument, $"option '{name}' is '{value}'; expected {expected}");
}
