using System.Globalization;
using System.Text.Json;
using EmbeddingService.Training.Verification;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Evaluation;

/// <summary>
/// The k-NN parity set (a folder with a manifest of <c>cases</c>, as dinov2-knn-parity): for every case, the
/// normalised features, the full train set's top max_k similarities and neighbour rows (int32), and probas / pred
/// per (n_per_class, try, k) using the recorded few-shot subsets (torch's draws cannot be repeated), under the
/// set's file names; <c>result.json</c> holds top-1/top-5 per result and averaged over tries under the manifest's keys.
/// </summary>
public sealed class KnnCaseVerifier : ICaseVerifier
{
    public string Kind => "knn";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        var cases = new Dictionary<string, object>();
        foreach (var knnCase in folder.Manifest.GetProperty("cases").EnumerateObject())
            cases[knnCase.Name] = VerifyCase(folder, knnCase.Name, knnCase.Value, output);
        output.WriteJson("result.json", new { kind = Kind, cases });
    }

    private static object VerifyCase(CaseFolder folder, string name, JsonElement knnCase, CaseOutput output)
    {
        using var scope = NewDisposeScope();
        var config = knnCase.GetProperty("config");
        var files = knnCase.GetProperty("files");
        Tensor Input(string key) => folder.ReadNpy(files.GetProperty(key).GetString()!);
        var (trainRaw, trainLabels, testRaw, testLabels) = (Input("train_features_raw"), Input("train_labels"), Input("test_features_raw"), Input("test_labels"));

        var evaluation = new KnnEvaluation(Ints(config, "nb_knn"), config.GetProperty("T").GetDouble(), Ints(config, "n_per_class_list"),
            config.GetProperty("n_tries").GetInt32());
        var (train, test) = (KnnEvaluation.Normalize(trainRaw), KnnEvaluation.Normalize(testRaw));
        output.WriteNpy($"{name}/train_features_normalized.npy", train);
        output.WriteNpy($"{name}/test_features_normalized.npy", test);
        var full = new KnnClassifier(train, trainLabels, evaluation.NbKnn, evaluation.Temperature, trainLabels.max().item<long>() + 1);
        using (var neighbors = full.Search(test))
        {
            output.WriteNpy($"{name}/topk_sims.npy", neighbors.Sims);
            output.WriteNpy($"{name}/topk_neighbor_indices.npy", neighbors.Indices.to(int32));
        }

        var subsets = knnCase.GetProperty("subset_indices");
        using var result = evaluation.Evaluate(trainRaw, trainLabels, testRaw, testLabels,
            (npc, t) => folder.ReadNpy(subsets.GetProperty($"{KnnEvaluation.NPerClassKey(npc)}/try{t.ToString(CultureInfo.InvariantCulture)}").GetString()!),
            keepProbas: true);
        foreach (var r in result.Results)
        {
            var stem = r.Key.Replace('/', '_');
            output.WriteNpy($"{name}/probas_{stem}.npy", r.Probas!);
            output.WriteNpy($"{name}/pred_{stem}.npy", r.Pred);
        }
        return new
        {
            results = result.Results.ToDictionary(r => r.Key, r => Accuracies(r.Top1, r.Top5)),
            accuracy_averaged_over_tries = result.Averages.ToDictionary(a => a.Key, a => Accuracies(a.Top1, a.Top5)),
        };
    }

    private static Dictionary<string, double?> Accuracies(double top1, double? top5) => new() { ["top-1"] = top1, ["top-5"] = top5 };

    private static int[] Ints(JsonElement config, string key) => [.. config.GetProperty(key).EnumerateArray().Select(e => e.GetInt32())];
}
