using System.Text.Json.Nodes;
using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Training.Tests.Runs;

/// <summary>Run specs small enough for a step in milliseconds (embed 32, depth 2, 2 heads, crops 56/28 — the smallest grid iBOT masks fit in — 64 prototypes), on synthetic data, one thread.</summary>
internal static class TinyRuns
{
    public static JsonObject Pretrain(int steps = 8) => new()
    {
        ["kind"] = "pretrain",
        ["seed"] = 3,
        ["batch_size"] = 4,
        ["data"] = new JsonObject { ["train"] = "synthetic" },
        ["model"] = new JsonObject { ["embed_dim"] = 32, ["depth"] = 2, ["num_heads"] = 2, ["patch_size"] = 14, ["drop_path_rate"] = 0.2 },
        ["heads"] = new JsonObject { ["prototypes"] = 64, ["hidden_dim"] = 32, ["bottleneck_dim"] = 16 },
        ["crops"] = new JsonObject { ["global_size"] = 56, ["local_size"] = 28, ["local_crops_number"] = 2 },
        ["optim"] = new JsonObject { ["steps"] = steps, ["warmup_steps"] = 2, ["base_lr"] = 0.05 },
        ["checkpoints"] = new JsonObject { ["every_steps"] = 3, ["keep_last"] = 2 },
        ["execution"] = new JsonObject { ["threads"] = 1, ["keep_freed_memory"] = false },
    };

    public static JsonObject Distill(string teacher, int steps = 4, int? warmup = 3) => new()
    {
        ["kind"] = "distill",
        ["seed"] = 5,
        ["batch_size"] = 4,
        ["data"] = new JsonObject { ["train"] = "synthetic" },
        ["model"] = new JsonObject { ["embed_dim"] = 16, ["depth"] = 1, ["num_heads"] = 2, ["patch_size"] = 14 },
        ["heads"] = new JsonObject { ["prototypes"] = 64, ["hidden_dim"] = 32, ["bottleneck_dim"] = 16 },
        ["crops"] = new JsonObject { ["global_size"] = 56, ["local_size"] = 28, ["local_crops_number"] = 2 },
        ["optim"] = new JsonObject { ["steps"] = steps, ["warmup_steps"] = 1 },
        ["checkpoints"] = new JsonObject { ["every_steps"] = 3, ["keep_last"] = 5 },
        ["execution"] = new JsonObject { ["threads"] = 1, ["keep_freed_memory"] = false },
        ["distillation"] = new JsonObject { ["teacher"] = teacher, ["head_warmup_steps"] = warmup },
    };

    public static RunSpec Spec(JsonObject json) => RunSpecFile.Parse(json.ToJsonString());

    public static JsonObject With(this JsonObject json, string path, JsonNode? value)
    {
        var copy = json.DeepClone().AsObject();
        var parts = path.Split('.');
        var node = copy;
        foreach (var part in parts[..^1]) node = (node[part] ??= new JsonObject()).AsObject();
        node[parts[^1]] = value;
        return copy;
    }

    public static RunResult Execute(JsonObject json, string output, IRunBatchSource? batches = null, IRunProgress? progress = null,
        ResumeMode resume = ResumeMode.Auto, CancellationToken cancellation = default)
    {
        var spec = Spec(json);
        return TrainingRun.Execute(spec, new RunContext
        {
            OutputDirectory = output,
            Batches = batches ?? new SyntheticBatchSource(spec),
            Progress = progress,
            Resume = resume,
        }, cancellation);
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "training-runs-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
