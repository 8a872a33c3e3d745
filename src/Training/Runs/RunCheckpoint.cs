using System.Globalization;
using System.Text.Json;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Training.Optimization;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// The full state of a run after some iterations, in one safetensors file written atomically: every model of the stage
/// (<c>student.*</c>, <c>teacher.*</c>, <c>student_ema.*</c> under the official training names), AdamW's moments
/// (<c>optimizer.N.exp_avg</c>, <c>optimizer.N.exp_avg_sq</c>, N in parameter-group order), the losses' centres
/// (<c>loss.dino_loss.center</c>, …); and in the header the iteration (the schedules' position and the data position),
/// the stage, AdamW's per-parameter step counts and the spec with its hash. No random-generator state: every draw of
/// iteration i is derived from (seed, i) (<see cref="DerivedSeeds"/>).
/// </summary>
public static class RunCheckpoint
{
    public const string Folder = "checkpoints";
    public const string Format = "embedding-service/training-run-checkpoint/1";
    private const string Prefix = "checkpoint-";
    private const string Extension = ".safetensors";

    /// <summary>The readable checkpoints of a run folder, oldest first (a file being written is never listed: it is still ".partial").</summary>
    public static IReadOnlyList<RunCheckpointInfo> List(string outputDirectory)
    {
        var folder = Path.Combine(outputDirectory, Folder);
        if (!Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder, Prefix + "*" + Extension)
            .Select(path => ReadInfo(path))
            .OrderBy(info => info.Iteration)
            .ToList();
    }

    public static RunCheckpointInfo? Latest(string outputDirectory) => List(outputDirectory).LastOrDefault();

    public static RunCheckpointInfo ReadInfo(string path)
    {
        var metadata = SafeTensorsReader.ReadMetadata(path);
        if (metadata.GetValueOrDefault("format") != Format)
            throw new CheckpointException($"'{path}' is not a training run checkpoint ({Format})");
        return new RunCheckpointInfo(path, long.Parse(metadata["iteration"], CultureInfo.InvariantCulture), metadata["stage"], metadata["spec_hash"], metadata["spec"]);
    }

    /// <summary>Writes the stage's state after <paramref name="iteration"/> completed iterations; keeps the newest <paramref name="keepLast"/>.</summary>
    internal static string Write(string outputDirectory, RunStage stage, long iteration, string specHash, string canonicalSpec, int keepLast)
    {
        var folder = Directory.CreateDirectory(Path.Combine(outputDirectory, Folder)).FullName;
        var path = Path.Combine(folder, $"{Prefix}{iteration:D9}{Extension}");
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, model) in stage.Models)
            foreach (var (key, tensor) in model.state_dict()) tensors[$"{name}.{key}"] = tensor;
        var optimizer = stage.Optimizer.State();
        for (var i = 0; i < optimizer.Count; i++)
        {
            tensors[$"optimizer.{i}.exp_avg"] = optimizer[i].ExpAvg;
            tensors[$"optimizer.{i}.exp_avg_sq"] = optimizer[i].ExpAvgSq;
        }
        foreach (var (name, buffer) in stage.Objective.LossBuffers()) tensors[$"loss.{name}"] = buffer;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["iteration"] = iteration.ToString(CultureInfo.InvariantCulture),
            ["stage"] = stage.Name,
            ["optimizer_steps"] = JsonSerializer.Serialize(optimizer.Select(s => s.Step)),
            ["spec_hash"] = specHash,
            ["spec"] = canonicalSpec,
        };
        AtomicFile.Write(path, temporary => SafeTensorsWriter.Write(temporary, tensors, metadata));
        foreach (var old in List(outputDirectory).SkipLast(keepLast)) File.Delete(old.Path);
        return path;
    }

    /// <summary>Puts a checkpoint's state back into a stage built from the same spec: models, optimiser moments and steps, loss buffers.</summary>
    internal static void Restore(string path, RunStage stage)
    {
        var metadata = SafeTensorsReader.ReadMetadata(path);
        var tensors = SafeTensorsReader.Read(path);
        try
        {
            using var noGrad = no_grad();
            foreach (var (name, model) in stage.Models)
            {
                var prefix = name + ".";
                model.load_state_dict(tensors.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal))
                    .ToDictionary(e => e.Key[prefix.Length..], e => e.Value), strict: true);
            }
            var steps = JsonSerializer.Deserialize<long[]>(metadata["optimizer_steps"])!;
            stage.Optimizer.LoadState(steps.Select((step, i) =>
                new AdamWParameterState(tensors[$"optimizer.{i}.exp_avg"], tensors[$"optimizer.{i}.exp_avg_sq"], step)).ToList());
            foreach (var (name, buffer) in stage.Objective.LossBuffers())
                buffer.copy_(tensors[$"loss.{name}"]);
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }

    /// <summary>One saved model's tensors (names without the model prefix); the caller owns them.</summary>
    internal static Dictionary<string, Tensor> ReadModel(string path, string model)
    {
        var prefix = model + ".";
        var tensors = SafeTensorsReader.Read(path);
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in tensors)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal)) result[key[prefix.Length..]] = tensor;
            else tensor.Dispose();
        }
        return result;
    }
}
