using static TorchSharp.torch;

namespace EmbeddingService.Training.Evaluation;

/// <summary>
/// One k of one train subset: top-1 and top-5 accuracy as fractions in [0, 1] (micro: over samples; the official
/// eval_knn_with_model reports them ×100), top-5 absent with fewer than 5 classes, the predictions [N_test]
/// int64 and, when asked for, the class probabilities [N_test, num_classes].
/// </summary>
/// <param name="NPerClass">"full" or "&lt;npc&gt; per class", the official module key.</param>
/// <param name="Try">"1" for the full set, else the try number, as the official keys.</param>
public sealed record KnnResult(string NPerClass, string Try, int K, double Top1, double? Top5, Tensor Pred, Tensor? Probas) : IDisposable
{
    /// <summary>"full/try1/k10", "5_per_class/try0/k5": the k-NN parity manifest's result key.</summary>
    public string Key => $"{NPerClass.Replace(' ', '_')}/try{Try}/k{K}";

    public void Dispose()
    {
        Pred.Dispose();
        Probas?.Dispose();
    }
}
