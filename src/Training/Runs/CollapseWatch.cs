using EmbeddingService.Training.Train;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// Warns once each time a collapse indicator crosses into its bad range (and again only after it recovered):
/// teacher DINO target entropy above <see cref="MaxTeacherEntropy"/> of ln K (the targets are becoming uniform: the
/// collapse Sinkhorn-Knopp and centring guard against), or the student's normalised cls spread below
/// <see cref="MinStudentClsStd"/> (features that differ less between images than features along one single direction
/// would, 1/√D: 0.05 for ViT-S — every image is mapped to nearly the same point). Only armed after the stage's lr
/// warm-up: a LayerScale-1e-5 initialisation starts with nearly the same cls token for every image, so both indicators
/// begin in their bad range.
/// </summary>
internal sealed class CollapseWatch
{
    public const double MaxTeacherEntropy = 0.95;
    public const double MinStudentClsStd = 0.02;

    private bool _uniformTargets;
    private bool _constantFeatures;

    public IEnumerable<string> Check(IReadOnlyDictionary<string, double> indicators, bool armed)
    {
        var warnings = new List<string>();
        if (!armed) return warnings;
        if (indicators.TryGetValue(CollapseIndicators.TeacherEntropy, out var entropy)
            && Crossed(ref _uniformTargets, entropy > MaxTeacherEntropy))
            warnings.Add($"possible collapse: teacher DINO target entropy {entropy:F3} of ln K is above {MaxTeacherEntropy} (targets nearly uniform)");
        if (indicators.TryGetValue(CollapseIndicators.StudentClsStd, out var std)
            && Crossed(ref _constantFeatures, std < MinStudentClsStd))
            warnings.Add($"possible collapse: student cls spread {std:F4} is below {MinStudentClsStd} (nearly the same feature for every image)");
        return warnings;
    }

    private static bool Crossed(ref bool state, bool bad)
    {
        var crossed = bad && !state;
        state = bad;
        return crossed;
    }
}
