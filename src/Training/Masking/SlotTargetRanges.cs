using System.Text.Json.Serialization;

namespace EmbeddingService.Training.Masking;

/// <summary>The masked slots' target ranges of a batch size: probs and [int(N·probs[i]), int(N·probs[i+1])] per slot.</summary>
public sealed record SlotTargetRanges(
    [property: JsonPropertyName("desc")] string Desc,
    [property: JsonPropertyName("probs")] IReadOnlyList<double> Probs,
    [property: JsonPropertyName("int_N_times_probs")] IReadOnlyList<int[]> IntNTimesProbs)
{
    public static SlotTargetRanges Of(BatchCollator collator, int batchSize)
    {
        var probs = collator.SlotProbabilities(batchSize);
        var n = collator.NTokens;
        var ranges = Enumerable.Range(0, probs.Length - 1).Select(i => new[] { (int)(n * probs[i]), (int)(n * probs[i + 1]) }).ToArray();
        return new SlotTargetRanges(
            "slot i targets int(N*U(probs[i], probs[i+1])) patches, probs = linspace(min_ratio, max_ratio, n_masked+1)",
            probs.Select(p => (double)p).ToArray(), ranges);
    }
}
