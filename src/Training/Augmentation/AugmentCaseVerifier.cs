using System.Text.Json;
using EmbeddingService.Training.Verification;

namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// verify-case for augment-parity folders: computes every case whose outputs the manifest lists, under the same
/// relative names, from the recorded call or draws (never from the case's name), plus distribution.json from seeded
/// draws in the folder's distribution configuration and result.json with the counts and headline rates.
/// </summary>
public sealed class AugmentCaseVerifier : ICaseVerifier
{
    public const int DistributionSeed = 20240601;

    public string Kind => "augment";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(output);
        var computer = new AugmentCaseComputer(folder);
        var cases = 0;
        foreach (var entry in folder.Manifest.GetProperty("cases").EnumerateObject())
        {
            if (!entry.Value.TryGetProperty("files", out var files) || !entry.Value.TryGetProperty("op", out _))
                continue;
            var computed = computer.Compute(entry.Value);
            try
            {
                foreach (var file in files.EnumerateObject())
                {
                    var tensor = computed.GetValueOrDefault(file.Name)
                        ?? throw new NotSupportedException($"case {entry.Name}: no way to compute its '{file.Name}' file");
                    output.WriteNpy(file.Value.GetString()!, tensor);
                }
            }
            finally
            {
                foreach (var tensor in computed.Values)
                    tensor.Dispose();
            }
            cases++;
        }

        var distribution = Distribution(folder);
        output.WriteJson("distribution.json", distribution);
        var perKind = (Dictionary<string, object?>)distribution["per_crop_type"]!;
        output.WriteJson("result.json", new Dictionary<string, object?>
        {
            ["kind"] = Kind,
            ["cases_computed"] = cases,
            ["npy_files_written"] = output.Files.Count(f => f.EndsWith(".npy", StringComparison.Ordinal)),
            ["distribution_n_calls"] = distribution["n_calls"],
            ["global1_blur_rate"] = RateOf(perKind, "global1", "blur"),
            ["global2_blur_rate"] = RateOf(perKind, "global2", "blur"),
            ["local_blur_rate"] = RateOf(perKind, "local", "blur"),
            ["global2_solarize_rate"] = RateOf(perKind, "global2", "solarize"),
            ["local_jitter_rate"] = RateOf(perKind, "local", "jitter_applied"),
            ["local_grayscale_rate"] = RateOf(perKind, "local", "grayscale"),
            ["local_flip_rate"] = RateOf(perKind, "local", "flip"),
        });
    }

    private static object? RateOf(Dictionary<string, object?> perKind, string kind, string key) =>
        ((Dictionary<string, object?>)((Dictionary<string, object?>)perKind[kind]!)[key]!)["rate"];

    /// <summary>Draw statistics on the folder's distribution image size and configuration (the official one by default).</summary>
    private static Dictionary<string, object?> Distribution(CaseFolder folder)
    {
        var reference = ReferenceDistribution(folder);
        var (width, height, calls) = (640, 427, 20_000);
        if (reference is { } r)
        {
            (width, height) = (r.GetProperty("image_wh")[0].GetInt32(), r.GetProperty("image_wh")[1].GetInt32());
            calls = r.GetProperty("n_calls").GetInt32();
        }
        var config = reference?.TryGetProperty("config", out var c) == true ? c
            : folder.Manifest.TryGetProperty("official_config", out var official) ? official : (JsonElement?)null;
        var options = OptionsFrom(config, folder.Manifest);
        var augmentation = new DataAugmentationDino(options);
        var random = new SeededAugmentationRandom(DistributionSeed);
        var draws = new List<CropDraws>(calls * (2 + options.LocalCropsNumber));
        for (var call = 0; call < calls; call++)
            draws.AddRange(augmentation.Draw(width, height, random));

        return new()
        {
            ["image_wh"] = new[] { width, height },
            ["seed"] = DistributionSeed,
            ["random"] = "System.Random (seeded); the official statistics come from torch's stream",
            ["n_calls"] = calls,
            ["config"] = new Dictionary<string, object?>
            {
                ["global_crops_scale"] = new[] { options.GlobalCropsScale.Low, options.GlobalCropsScale.High },
                ["local_crops_scale"] = new[] { options.LocalCropsScale.Low, options.LocalCropsScale.High },
                ["local_crops_number"] = options.LocalCropsNumber,
                ["global_crops_size"] = options.GlobalCropsSize,
                ["local_crops_size"] = options.LocalCropsSize,
            },
            ["blur_probabilities"] = new Dictionary<string, object?>
            {
                ["global1"] = options.Global1BlurProbability,
                ["global2"] = options.Global2BlurProbability,
                ["local"] = options.LocalBlurProbability,
            },
            ["per_crop_type"] = DrawDistribution.Summarize(draws, width, height),
        };
    }

    private static JsonElement? ReferenceDistribution(CaseFolder folder)
    {
        var name = folder.Manifest.TryGetProperty("distribution_file", out var file) ? file.GetString() : null;
        if (name is null || !File.Exists(folder.PathOf(name)))
            return null;
        return JsonDocument.Parse(File.ReadAllText(folder.PathOf(name))).RootElement;
    }

    private static DinoAugmentationOptions OptionsFrom(JsonElement? config, JsonElement manifest)
    {
        var options = new DinoAugmentationOptions();
        if (config is { } c)
        {
            options = options with
            {
                GlobalCropsScale = Range(c, "global_crops_scale") ?? options.GlobalCropsScale,
                LocalCropsScale = Range(c, "local_crops_scale") ?? options.LocalCropsScale,
                LocalCropsNumber = c.TryGetProperty("local_crops_number", out var number) ? number.GetInt32() : options.LocalCropsNumber,
                GlobalCropsSize = c.TryGetProperty("global_crops_size", out var global) ? global.GetInt32() : options.GlobalCropsSize,
                LocalCropsSize = c.TryGetProperty("local_crops_size", out var local) ? local.GetInt32() : options.LocalCropsSize,
            };
        }
        // The manifest records the probabilities RandomApply really got, under keys naming the official transform.
        if (manifest.TryGetProperty("official_config", out var official) && official.TryGetProperty("GaussianBlur_RandomApply_p", out var blur))
        {
            foreach (var entry in blur.EnumerateObject())
            {
                var p = entry.Value.GetDouble();
                if (entry.Name.StartsWith("global_transfo1", StringComparison.Ordinal)) options = options with { Global1BlurProbability = p };
                else if (entry.Name.StartsWith("global_transfo2", StringComparison.Ordinal)) options = options with { Global2BlurProbability = p };
                else if (entry.Name.StartsWith("local_transfo", StringComparison.Ordinal)) options = options with { LocalBlurProbability = p };
            }
        }
        return options;
    }

    private static (double Low, double High)? Range(JsonElement config, string key) =>
        config.TryGetProperty(key, out var pair) ? (pair[0].GetDouble(), pair[1].GetDouble()) : null;
}
