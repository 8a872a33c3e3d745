using static TorchSharp.torch;

namespace EmbeddingService.Training.Evaluation;

/// <summary>The few-shot train subsets of the official k-NN evaluation (knn.py filter_train, create_module_dict).</summary>
public static class FewShotSubsets
{
    /// <summary>
    /// Train row indices (int64, on the labels' device) keeping <paramref name="nPerClass"/> random rows of each
    /// class (all of a smaller class), classes in ascending label order. The official draw seeds torch's RNG with
    /// the try number, which cannot be reproduced here; pass <c>new Random(try)</c> for the same kind of seeding.
    /// </summary>
    public static Tensor Draw(Tensor trainLabels, int nPerClass, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nPerClass);
        using var scope = NewDisposeScope();
        var labels = trainLabels.cpu().to(int64).data<long>().ToArray();
        var chosen = new List<long>();
        foreach (var rows in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = rows.Select(i => (long)i).ToArray();
            random.Shuffle(members);
            chosen.AddRange(members.Take(nPerClass));
        }
        return tensor(chosen.ToArray(), dtype: int64, device: trainLabels.device).MoveToOuterDisposeScope();
    }

    /// <summary>The k values a subset of <paramref name="nPerClass"/> per class is evaluated with: nb_knn and npc, those ≤ npc, ascending.</summary>
    public static IReadOnlyList<int> KList(IReadOnlyList<int> nbKnn, int nPerClass) =>
        [.. nbKnn.Append(nPerClass).Distinct().Where(k => k <= nPerClass).Order()];
}
