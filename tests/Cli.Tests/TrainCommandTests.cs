using System.Diagnostics;
using System.Text.Json.Nodes;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.IO;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Checkpoints;
using EmbeddingService.Training.Runs;
using static TorchSharp.torch;

namespace EmbeddingService.Cli.Tests;

public sealed class TrainCommandTests
{
    public TrainCommandTests() => TorchRuntime.EnsureInitialized();

    /// <summary>A tiny pretraining run (embed 32, depth 2, crops 56/28, 64 prototypes) on synthetic data, one thread, the default allocator.</summary>
    private static string Spec(int steps, int checkpointEvery)
    {
        var path = Path.Combine(CliRun.TempDir(), "run.json");
        File.WriteAllText(path, $$"""
            {
              "kind": "pretrain", "seed": 11, "batch_size": 4,
              "data": { "train": "synthetic" },
              "model": { "embed_dim": 32, "depth": 2, "num_heads": 2, "drop_path_rate": 0.2 },
              "heads": { "prototypes": 64, "hidden_dim": 32, "bottleneck_dim": 16, "separate_ibot_head": true },
              "crops": { "global_size": 56, "local_size": 28, "local_crops_number": 2 },
              "objective": { "centering": "sinkhorn_knopp" },
              "optim": { "steps": {{steps}}, "base_lr": 0.05 },
              "checkpoints": { "every_steps": {{checkpointEvery}}, "keep_last": 2 },
              "execution": { "threads": 1, "keep_freed_memory": false }
            }
            """);
        return path;
    }

    [Fact]
    public void The_exported_backbone_gives_through_features_the_trained_teachers_forward()
    {
        var output = CliRun.TempDir();
        var (code, stdout, stderr) = CliRun.Run("train", "pretrain", "--config", Spec(steps: 4, checkpointEvery: 2), "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("checkpoint 2 ", stdout);
        Assert.Contains("completed: completed 4 iterations", stdout);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(output, TrainingRun.SummaryFile)))!;
        Assert.Equal("completed", summary["status"]!.GetValue<string>());
        var backbone = summary["export"]!["backbone"]!.GetValue<string>();

        var input = Path.Combine(CliRun.TempDir(), "x.npy");
        var pixels = Enumerable.Range(0, 2 * 3 * 56 * 42).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
        Npy.Write(input, [2, 3, 56, 42], pixels);
        var features = CliRun.TempDir();
        (code, _, stderr) = CliRun.Run("features", "--weights", backbone, "--input", input, "--out", features);
        Assert.True(code == 0, stderr);

        var teacher = TrainingCheckpointFile.Read(summary["export"]!["training_checkpoint"]!.GetValue<string>());
        using var trained = new DinoVisionTransformer(new VitConfig { EmbedDim = 32, Depth = 2, NumHeads = 2, ImgSize = 56 });
        using (no_grad())
            trained.load_state_dict(teacher.Where(e => e.Key.StartsWith("backbone.", StringComparison.Ordinal))
                .ToDictionary(e => e.Key["backbone.".Length..], e => e.Value), strict: true);
        trained.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var expected = trained.ForwardFeatures(tensor(pixels, [2, 3, 56, 42]));
        var cls = Npy.Read(Path.Combine(features, "cls.npy"));
        var want = expected.Cls.contiguous().data<float>().ToArray();
        Assert.Equal(want.Length, cls.Data.Length);
        var max = want.Zip(cls.Data, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(max <= 1e-5, $"max abs error {max:E3}");
    }

    [Theory]
    [InlineData("cuda:999", "execution.device: device 'cuda:999' requested but ")]
    [InlineData("gpu", "execution.device: unknown device 'gpu'; expected auto, cpu, cuda or cuda:N")]
    public void A_device_the_machine_lacks_exits_with_code_two_before_anything_is_written(string device, string expected)
    {
        var output = CliRun.TempDir();
        var (code, _, stderr) = CliRun.Run("train", "pretrain", "--config", Spec(steps: 2, checkpointEvery: 1), "--out", output, "--device", device);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public void A_bad_spec_exits_with_code_two_naming_the_field()
    {
        var path = Path.Combine(CliRun.TempDir(), "run.json");
        File.WriteAllText(path, """{"data": {"train": "synthetic"}, "optim": {"stepz": 3}}""");
        var (code, _, stderr) = CliRun.Run("train", "pretrain", "--config", path, "--out", CliRun.TempDir());
        Assert.Equal(2, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("unknown field 'optim.stepz'", stderr);
    }

    [Fact]
    public void A_run_killed_with_sigkill_after_a_checkpoint_resumes_to_parameters_identical_to_an_uninterrupted_run()
    {
        const int Steps = 60;
        var spec = Spec(Steps, checkpointEvery: 5);
        var whole = CliRun.TempDir();
        var (code, _, stderr) = CliRun.Run("train", "pretrain", "--config", spec, "--out", whole);
        Assert.True(code == 0, stderr);

        var killed = CliRun.TempDir();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "embedctl.dll"), "train", "pretrain", "--config", spec, "--out", killed })
            start.ArgumentList.Add(argument);
        using (var child = Process.Start(start)!)
        {
            child.ErrorDataReceived += (_, _) => { };
            child.BeginErrorReadLine();
            string? line;
            while ((line = child.StandardOutput.ReadLine()) is not null && !line.StartsWith("checkpoint 5 ", StringComparison.Ordinal)) { }
            Assert.NotNull(line);
            child.Kill(); // SIGKILL on Unix: no handler, no flush, no clean stop.
            child.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, TrainingRun.SummaryFile)), "the run finished before it was killed");
        var resumedFrom = RunCheckpoint.Latest(killed)!.Iteration;
        Assert.InRange(resumedFrom, 5, Steps - 1);

        (code, var stdout, stderr) = CliRun.Run("train", "pretrain", "--config", spec, "--out", killed, "--resume");
        Assert.True(code == 0, stderr);
        Assert.Contains($"resuming at iteration {resumedFrom} of {Steps}", stdout);

        var (a, b) = (RunCheckpoint.Latest(whole)!, RunCheckpoint.Latest(killed)!);
        Assert.Equal((long)Steps, b.Iteration);
        var (expected, actual) = (SafeTensorsReader.Read(a.Path), SafeTensorsReader.Read(b.Path));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.eq(actual[name]).all().item<bool>(), $"{name} differs after the kill and resume");
        Assert.Equal(CheckpointLoader.Fingerprint(Path.Combine(whole, "export", "backbone.safetensors")),
            CheckpointLoader.Fingerprint(Path.Combine(killed, "export", "backbone.safetensors")));
        var iterations = File.ReadLines(Path.Combine(killed, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["iteration"]!.GetValue<long>());
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), iterations);
    }
}
