using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Runs.Spec;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// An eval-knn run as a library call (the jobs worker runs it): loads the model, runs the official k-NN evaluation
/// (<see cref="FolderKnnEvaluation"/>) and writes spec.json, metrics.jsonl (the evaluation record) and summary.json to
/// the output folder. Cancellation stops it between feature batches.
/// </summary>
public static class KnnEvalRun
{
    /// <param name="weights">The backbone checkpoint to evaluate: <see cref="KnnEvalSpec.Weights"/>, or the file the caller resolved <see cref="KnnEvalSpec.Model"/> to.</param>
    /// <exception cref="RunSpecException">evaluation.resolution is not a multiple of the model's patch size.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing but spec.json was written.</exception>
    public static KnnEvalResult Execute(KnnEvalSpec spec, string weights, string outputDirectory, IRunProgress? progress, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureInitialized();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var output = Directory.CreateDirectory(outputDirectory).FullName;
        var canonical = KnnEvalSpecFile.Canonical(spec);
        AtomicFile.WriteAllText(Path.Combine(output, TrainingRun.SpecFile), JsonNode.Parse(canonical)!.ToJsonString(new() { WriteIndented = true }));
        var device = RunDevice.Resolve(spec.Device, "device");
        if (spec.Threads is { } threads) set_num_threads(threads);

        // The evaluation runs the TorchSharp network, as a run's own evaluations do (so their numbers compare).
        using var model = ModelLoader.Load(new ModelLoadRequest { Weights = weights, Heads = spec.NumHeads, Device = device.ToString(), Backend = "torch" });
        var patch = model.Descriptor.Config.PatchSize;
        if (spec.Evaluation.Resolution % patch != 0)
            throw new RunSpecException([$"evaluation.resolution: must be a multiple of the model's patch size {patch} (got {spec.Evaluation.Resolution})"]);
        var evaluation = new FolderKnnEvaluation(spec.Evaluation, patch, spec.DataWorkers);
        progress?.Started(0, 1, null);
        IReadOnlyDictionary<string, double> results;
        using (no_grad())
        using (NewDisposeScope())
            results = evaluation.Evaluate(model.Network, cancellationToken);
        using (var metrics = new MetricsLog(output, 0)) metrics.Evaluation(0, results);
        progress?.Evaluation(0, results);

        var summaryPath = Path.Combine(output, TrainingRun.SummaryFile);
        var summary = new JsonObject
        {
            ["status"] = "completed",
            ["reason"] = "completed",
            ["message"] = $"k-NN evaluation of {model.Descriptor.WeightsFingerprint} done",
            ["kind"] = KnnEvalSpec.KindName,
            ["spec_hash"] = KnnEvalSpecFile.Hash(spec),
            ["spec"] = JsonNode.Parse(canonical),
            ["model"] = new JsonObject
            {
                ["id"] = spec.Model,
                ["weights"] = weights,
                ["weights_fingerprint"] = model.Descriptor.WeightsFingerprint,
                ["architecture"] = model.Descriptor.Config.ToString(),
            },
            ["evaluation"] = JsonSerializer.SerializeToNode(results),
            ["device"] = device.ToString(),
            ["time"] = new JsonObject
            {
                ["started_utc"] = started.ToString("O"),
                ["finished_utc"] = DateTimeOffset.UtcNow.ToString("O"),
                ["session_seconds"] = clock.Elapsed.TotalSeconds,
            },
        };
        AtomicFile.WriteAllText(summaryPath, summary.ToJsonString(new() { WriteIndented = true }));
        return new KnnEvalResult(results, model.Descriptor.WeightsFingerprint, summaryPath);
    }
}

/// <summary>An eval-knn run's results ("knn/k{k}/top1", fractions), the evaluated weights' fingerprint and summary.json.</summary>
public sealed record KnnEvalResult(IReadOnlyDictionary<string, double> Results, string Fingerprint, string SummaryPath);
