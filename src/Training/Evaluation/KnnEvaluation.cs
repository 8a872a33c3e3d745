using static TorchSharp.torch;

namespace EmbeddingService.Training.Evaluation;

/// <summary>
/// The official k-NN evaluation (dinov2/eval/knn.py eval_knn): L2-normalised features, one
/// <see cref="KnnClassifier"/> on the whole train set (n_per_class -1) and, for each positive n_per_class, one
/// per try on a subset of that many rows per class; num_classes = max train label + 1. The test set is taken
/// <paramref name="batchSize"/> rows at a time and the train set in <paramref name="trainChunkSize"/>-row chunks,
/// so memory stays bounded (1M×384 train features: 256×65,536 similarities per step), on the features' device.
/// </summary>
public sealed class KnnEvaluation(IReadOnlyList<int> nbKnn, double temperature = 0.07, IReadOnlyList<int>? nPerClassList = null,
    int nTries = 1, int batchSize = 256, long trainChunkSize = 65_536)
{
    private const int Top5 = 5;

    public IReadOnlyList<int> NbKnn { get; } = [.. nbKnn];

    public double Temperature { get; } = temperature;

    public IReadOnlyList<int> NPerClassList { get; } = nPerClassList is null ? [-1] : [.. nPerClassList];

    public int NTries { get; } = nTries;

    /// <summary>x / max(‖x‖₂, 1e-12) per row, as ModelWithNormalize does.</summary>
    public static Tensor Normalize(Tensor features) => nn.functional.normalize(features, p: 2, dim: 1, eps: 1e-12);

    /// <summary>The official key of an n_per_class value: "full" for a negative one, else "&lt;npc&gt; per class".</summary>
    public static string NPerClassKey(int nPerClass) => nPerClass < 0 ? "full" : $"{nPerClass} per class";

    /// <param name="trainFeatures">[N_train, D], not yet normalised.</param>
    /// <param name="trainLabels">[N_train] int64.</param>
    /// <param name="testFeatures">[N_test, D], not yet normalised.</param>
    /// <param name="testLabels">[N_test] int64.</param>
    /// <param name="subsetIndices">Train rows of (n_per_class, try), e.g. the official draws; by default
    /// <see cref="FewShotSubsets.Draw"/> seeded with the try number.</param>
    /// <param name="keepProbas">Also return every probas [N_test, num_classes] (the predictions are always returned).</param>
    public KnnEvaluationResult Evaluate(Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, Tensor testLabels,
        Func<int, int, Tensor>? subsetIndices = null, bool keepProbas = false)
    {
        if (testFeatures.shape[0] == 0) throw new ArgumentException("no test rows", nameof(testFeatures));
        using var scope = NewDisposeScope();
        var device = trainFeatures.device;
        var train = Normalize(trainFeatures);
        var labels = trainLabels.to(device);
        var numClasses = labels.max().item<long>() + 1;
        var modules = Modules(train, labels, numClasses, subsetIndices ?? ((npc, t) => FewShotSubsets.Draw(labels, npc, new Random(t))));

        var testRows = testFeatures.shape[0];
        for (long start = 0; start < testRows; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            var rows = Math.Min(batchSize, testRows - start);
            var test = Normalize(testFeatures.narrow(0, start, rows).to(device));
            var targets = testLabels.narrow(0, start, rows).to(device);
            foreach (var module in modules)
                foreach (var (k, probas) in module.Classifier.Forward(test))
                    module.Outputs[k].Add(probas, targets, keepProbas, numClasses >= Top5);
        }

        var results = modules.SelectMany(m => m.Outputs.Select(o => o.Value.ToResult(m.NPerClass, m.Try, o.Key, testRows))).ToList();
        foreach (var result in results)
        {
            result.Pred.MoveToOuterDisposeScope();
            result.Probas?.MoveToOuterDisposeScope();
        }
        return new KnnEvaluationResult(results, Averages(results));
    }

    private List<Module> Modules(Tensor train, Tensor labels, long numClasses, Func<int, int, Tensor> subsetIndices)
    {
        var modules = new List<Module>();
        foreach (var npc in NPerClassList)
        {
            if (npc < 0)
            {
                modules.Add(new Module(NPerClassKey(npc), "1", new KnnClassifier(train, labels, NbKnn, Temperature, numClasses, trainChunkSize)));
                continue;
            }
            for (var t = 0; t < NTries; t++)
            {
                var rows = subsetIndices(npc, t).to(int64).to(train.device);
                modules.Add(new Module(NPerClassKey(npc), t.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    new KnnClassifier(train.index_select(0, rows), labels.index_select(0, rows), FewShotSubsets.KList(NbKnn, npc),
                        Temperature, numClasses, trainChunkSize)));
            }
        }
        return modules;
    }

    private static List<KnnAverage> Averages(List<KnnResult> results) =>
        [.. results.GroupBy(r => (r.NPerClass, r.K)).Select(g => new KnnAverage(g.Key.NPerClass, g.Key.K,
            g.Average(r => r.Top1), g.All(r => r.Top5.HasValue) ? g.Average(r => r.Top5!.Value) : null))];

    private sealed record Module(string NPerClass, string Try, KnnClassifier Classifier)
    {
        public Dictionary<int, Outputs> Outputs { get; } = Classifier.NbKnn.ToDictionary(k => k, _ => new Outputs());
    }

    /// <summary>One k's predictions, probabilities and hit counts gathered over the test batches.</summary>
    private sealed class Outputs
    {
        private readonly List<Tensor> _preds = [];
        private readonly List<Tensor> _probas = [];
        private long _top1Hits;
        private long? _top5Hits;

        public void Add(Tensor probas, Tensor targets, bool keepProbas, bool top5)
        {
            var pred = probas.argmax(1);
            _top1Hits += pred.eq(targets).sum().item<long>();
            if (top5)
                _top5Hits = (_top5Hits ?? 0) + probas.topk(Top5, dim: 1).indexes.eq(targets.unsqueeze(1)).any(1).sum().item<long>();
            _preds.Add(pred.MoveToOuterDisposeScope());
            if (keepProbas) _probas.Add(probas.MoveToOuterDisposeScope());
        }

        public KnnResult ToResult(string nPerClass, string tryKey, int k, long testRows) =>
            new(nPerClass, tryKey, k, (double)_top1Hits / testRows, _top5Hits / (double)testRows,
                cat(_preds, 0), _probas.Count > 0 ? cat(_probas, 0) : null);
    }
}
