using System.Text.Json;
using EmbeddingService.Training.Augmentation;
using EmbeddingService.Training.Evaluation;
using EmbeddingService.Training.Heads;
using EmbeddingService.Training.Losses;
using EmbeddingService.Training.Optimization;
using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Train;

namespace EmbeddingService.Training.Verification;

/// <summary>
/// Finds the verifier of a case folder from its manifest and runs it: train-parity manifests name their kind in
/// <c>case</c>; augmentation and kNN sets list many cases under <c>cases</c> and are verified in one call.
/// </summary>
public static class CaseVerifiers
{
    public const string ResultFile = "result.json";

    public static IReadOnlyList<ICaseVerifier> All { get; } =
    [
        new DinoHeadCaseVerifier(),
        new DinoLossCaseVerifier(),
        new IbotLossCaseVerifier(),
        new KoLeoCaseVerifier(),
        new MaskingCaseVerifier(),
        new ParamGroupsCaseVerifier(),
        new SchedulesCaseVerifier(),
        new TrainStepCaseVerifier(),
        new DistillStepCaseVerifier(),
        new AugmentCaseVerifier(),
        new KnnCaseVerifier(),
    ];

    public static IEnumerable<string> Kinds => All.Select(v => v.Kind);

    /// <summary>The kind a manifest describes, or null when it is none that is known.</summary>
    public static string? KindOf(JsonElement manifest)
    {
        if (manifest.ValueKind != JsonValueKind.Object) return null;
        if (manifest.TryGetProperty("case", out var name) && name.ValueKind == JsonValueKind.String) return name.GetString();
        if (!manifest.TryGetProperty("cases", out _)) return null;
        if (manifest.TryGetProperty("official_config", out _) || manifest.TryGetProperty("get_params_traces", out _)) return "augment";
        if (manifest.TryGetProperty("official_definitions_compiled_from_source", out var sources) && sources.ToString().Contains("KnnModule", StringComparison.Ordinal))
            return "knn";
        return null;
    }

    /// <summary>Runs the case in <paramref name="caseDirectory"/> into <paramref name="outputDirectory"/>; returns its kind and the files written.</summary>
    public static (string Kind, IReadOnlyList<string> Files) Verify(string caseDirectory, string outputDirectory, string imagesDirectory)
    {
        var manifestPath = Path.Combine(caseDirectory, "manifest.json");
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"'{caseDirectory}' has no manifest.json", manifestPath);
        using var document = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var kind = KindOf(document.RootElement);
        var verifier = All.FirstOrDefault(v => v.Kind == kind)
            ?? throw new UnknownCaseKindException(kind, Kinds);
        var output = new CaseOutput(outputDirectory);
        verifier.Verify(new CaseFolder(caseDirectory, document.RootElement, imagesDirectory), output);
        // Cases whose manifest records no scalars still get a result.json, so every run has one to read.
        if (!output.Files.Contains(ResultFile)) output.WriteJson(ResultFile, new { kind = verifier.Kind, files = output.Files.ToArray() });
        return (verifier.Kind, output.Files);
    }
}
