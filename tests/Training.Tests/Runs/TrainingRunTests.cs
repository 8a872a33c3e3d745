using System.Text.Json.Nodes;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Checkpoints;
using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Runs.Spec;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Runs;

public sealed class TrainingRunTests
{
    public TrainingRunTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void A_run_stopped_and_resumed_twice_ends_bit_identical_to_an_uninterrupted_one()
    {
        var spec = TinyRuns.Pretrain();
        var whole = TinyRuns.TempDir();
        Assert.Equal(RunStatus.Completed, TinyRuns.Execute(spec, whole).Status);

        var pieces = TinyRuns.TempDir();
        // A budget that is over after any step: each call does one step, checkpoints it and stops.
        var first = TinyRuns.Execute(spec.With("execution.max_minutes", 1e-9), pieces);
        Assert.Equal((RunStatus.TimeBudget, 1L), (first.Status, first.CompletedIterations));
        Assert.Equal(1, RunCheckpoint.Latest(pieces)!.Iteration);
        Assert.Equal(RunStatus.TimeBudget, TinyRuns.Execute(spec.With("execution.max_minutes", 1e-9), pieces).Status);
        var progress = new RecordingProgress();
        var last = TinyRuns.Execute(spec, pieces, progress: progress, resume: ResumeMode.Required);
        Assert.Equal((RunStatus.Completed, 8L), (last.Status, last.CompletedIterations));
        Assert.Equal("started 2/8", progress.Events[0]);

        RunAssert.SameFinalState(whole, pieces);
        var iterations = File.ReadLines(Path.Combine(pieces, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["iteration"]!.GetValue<long>());
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), iterations);
    }

    [Fact]
    public async Task A_seeded_stage_starts_from_the_same_weights_while_other_threads_draw_from_the_global_generator()
    {
        var spec = TinyRuns.Spec(TinyRuns.Pretrain());
        using var stop = new CancellationTokenSource();
        var noise = Task.Factory.StartNew(() =>
        {
            for (var i = 0L; !stop.IsCancellationRequested; i++)
            {
                manual_seed(i);
                using var drawn = rand(64);
            }
        }, TaskCreationOptions.LongRunning); // its own thread: the loop never gives a pool thread back
        try
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                using var first = RunStages.Pretrain(spec, CPU);
                using var second = RunStages.Pretrain(spec, CPU);
                var (a, b) = (first.Models["student"].state_dict(), second.Models["student"].state_dict());
                foreach (var (name, tensor) in a)
                    Assert.True(tensor.eq(b[name]).all().item<bool>(), $"{name} differs between two stages of one seed");
            }
        }
        finally
        {
            stop.Cancel();
            await noise;
        }
    }

    [Fact]
    public void The_device_is_resolved_before_anything_is_written_and_the_summary_names_it()
    {
        var output = TinyRuns.TempDir();
        var error = Assert.Throws<RunSpecException>(() => TinyRuns.Execute(TinyRuns.Pretrain(steps: 2).With("execution.device", "cuda:999"), output));
        Assert.StartsWith("execution.device: device 'cuda:999' requested but ", error.Problems.Single());
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));

        var result = TinyRuns.Execute(TinyRuns.Pretrain(steps: 2).With("execution.device", "cpu"), output);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("cpu", JsonNode.Parse(File.ReadAllText(result.SummaryPath))!["device"]!.GetValue<string>());
    }

    [Fact]
    public void Checkpoints_every_n_steps_and_at_the_end_keeping_the_last_k()
    {
        var output = TinyRuns.TempDir();
        var progress = new RecordingProgress();
        TinyRuns.Execute(TinyRuns.Pretrain(), output, progress: progress);
        Assert.Equal(["checkpoint 3", "checkpoint 6", "checkpoint 8"], progress.Events.Where(e => e.StartsWith("checkpoint", StringComparison.Ordinal)));
        Assert.Equal([6L, 8L], RunCheckpoint.List(output).Select(c => c.Iteration));
        Assert.Empty(Directory.GetFiles(Path.Combine(output, RunCheckpoint.Folder), "*.partial"));
        Assert.Equal("finished completed", progress.Events[^1]);
    }

    [Fact]
    public void Metrics_hold_every_loss_term_schedule_value_gradient_norm_and_indicator()
    {
        var output = TinyRuns.TempDir();
        TinyRuns.Execute(TinyRuns.Pretrain(steps: 3), output);
        var line = JsonNode.Parse(File.ReadLines(Path.Combine(output, "metrics.jsonl")).First())!;
        foreach (var term in new[] { "dino_local_crops_loss", "dino_global_crops_loss", "koleo_loss", "ibot_loss" })
            Assert.True(double.IsFinite(line["losses"]![term]!.GetValue<double>()), term);
        foreach (var field in new[] { "total_loss", "lr", "last_layer_lr", "wd", "momentum", "teacher_temp", "images_per_second", "step_seconds" })
            Assert.NotNull(line[field]);
        Assert.Equal(["backbone", "dino_head"], line["grad_norms"]!.AsObject().Select(p => p.Key));
        var entropy = line["indicators"]!["teacher_dino_entropy"]!.GetValue<double>();
        Assert.InRange(entropy, 0, 1);
        Assert.True(line["indicators"]!["student_cls_std"]!.GetValue<double>() >= 0);
        Assert.Equal(0.04, line["teacher_temp"]!.GetValue<double>(), 12);
    }

    [Fact]
    public void A_changed_spec_is_refused_naming_the_changed_fields_and_resume_needs_a_checkpoint()
    {
        var output = TinyRuns.TempDir();
        var spec = TinyRuns.Pretrain(steps: 3);
        Assert.Contains("holds no checkpoint", Assert.Throws<RunSpecException>(() => TinyRuns.Execute(spec, output, resume: ResumeMode.Required)).Message);
        TinyRuns.Execute(spec, output);
        var error = Assert.Throws<RunSpecException>(() => TinyRuns.Execute(spec.With("optim.base_lr", 0.02).With("seed", 4), output));
        Assert.Contains("changed: optim.base_lr, seed", error.Message);
        // What is not hashed may change on resume.
        Assert.Equal(RunStatus.Completed, TinyRuns.Execute(spec.With("checkpoints.keep_last", 1), output).Status);
    }

    [Fact]
    public void A_non_finite_loss_stops_the_run_naming_the_step_and_term_and_keeps_the_last_good_checkpoint()
    {
        var output = TinyRuns.TempDir();
        var spec = TinyRuns.Pretrain();
        var result = TinyRuns.Execute(spec, output, new PoisonedBatchSource(new SyntheticBatchSource(TinyRuns.Spec(spec)), poisonedIteration: 4));
        Assert.Equal(RunStatus.NonFiniteLoss, result.Status);
        Assert.Equal("non_finite_loss", result.Reason);
        Assert.Matches(@"^non_finite_loss at iteration 4: (dino_local_crops_loss|dino_global_crops_loss|koleo_loss|ibot_loss) = NaN", result.Message);
        Assert.Equal(3, RunCheckpoint.Latest(output)!.Iteration);
        Assert.Null(result.Export);
        Assert.False(Directory.Exists(Path.Combine(output, RunExport.Folder)));
        var summary = JsonNode.Parse(File.ReadAllText(result.SummaryPath))!;
        Assert.Equal("non_finite_loss", summary["status"]!.GetValue<string>());
        Assert.Contains("iteration 4", summary["message"]!.GetValue<string>());
    }

    [Fact]
    public void The_exported_backbone_loads_through_the_engine_and_computes_the_trained_teachers_features()
    {
        var output = TinyRuns.TempDir();
        var result = TinyRuns.Execute(TinyRuns.Pretrain(steps: 4), output);
        var export = result.Export!;
        using var checkpoint = CheckpointLoader.Load(export.Backbone, CheckpointLoadOptions.Default);
        using var loaded = new DinoVisionTransformer(checkpoint.Config);
        using (no_grad()) loaded.load_state_dict(checkpoint.State, strict: true);
        using var trained = new DinoVisionTransformer(checkpoint.Config);
        var teacher = RunCheckpoint.ReadModel(RunCheckpoint.Latest(output)!.Path, "teacher");
        using (no_grad())
            trained.load_state_dict(teacher.Where(e => e.Key.StartsWith("backbone.", StringComparison.Ordinal))
                .ToDictionary(e => e.Key["backbone.".Length..], e => e.Value), strict: true);
        loaded.eval();
        trained.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = randn([2, 3, 42, 28], generator: new Generator(7));
        using var a = loaded.ForwardFeatures(images);
        using var b = trained.ForwardFeatures(images);
        Assert.True(a.Cls.sub(b.Cls).abs().max().item<float>() <= 1e-5);
        Assert.True(a.Patches.sub(b.Patches).abs().max().item<float>() <= 1e-5);

        Assert.Equal(CheckpointLoader.Fingerprint(export.Backbone), export.Fingerprint);
        var full = TrainingCheckpointFile.Read(export.TrainingCheckpoint);
        Assert.Contains("dino_head.last_layer.weight_v", full.Keys);
        Assert.Contains("backbone.cls_token", full.Keys);
        var summary = JsonNode.Parse(File.ReadAllText(result.SummaryPath))!;
        Assert.Equal(export.Fingerprint, summary["weights_fingerprint"]!.GetValue<string>());
        Assert.Equal(4, summary["iterations"]!["completed"]!.GetValue<long>());
        Assert.Equal("completed", summary["status"]!.GetValue<string>());
        Assert.NotNull(summary["final_losses"]!["ibot_loss"]);
        Assert.Equal(4, summary["data"]!["synthetic_batches"]!.GetValue<long>());
    }

    [Fact]
    public void Distillation_from_a_backbone_without_heads_warms_heads_up_then_distils_and_resumes_across_the_stages_exactly()
    {
        var teacherRun = TinyRuns.TempDir();
        var teacher = TinyRuns.Execute(TinyRuns.Pretrain(steps: 2), teacherRun).Export!.Backbone;
        var spec = TinyRuns.Distill(teacher);

        var whole = TinyRuns.TempDir();
        var progress = new RecordingProgress();
        var result = TinyRuns.Execute(spec, whole, progress: progress);
        Assert.Equal((RunStatus.Completed, 7L), (result.Status, result.TotalIterations));
        Assert.Equal(["head_warmup", "head_warmup", "head_warmup", "distill", "distill", "distill", "distill"], progress.Steps.Select(s => s.Stage));
        using (var exported = CheckpointLoader.Load(result.Export!.Backbone, CheckpointLoadOptions.Default))
            Assert.Equal((16, 1, 2), (exported.Config.EmbedDim, exported.Config.Depth, exported.Config.NumHeads));
        Assert.False(JsonNode.Parse(File.ReadAllText(result.SummaryPath))!["teacher"]!["had_heads"]!.GetValue<bool>());

        // Cancelled right after the warm-up's last checkpoint, resumed from it into distillation.
        var pieces = TinyRuns.TempDir();
        using (var cancel = new CancellationTokenSource())
        {
            var stopped = TinyRuns.Execute(spec, pieces, progress: new RecordingProgress(cancel, cancelAtCheckpoint: 3), cancellation: cancel.Token);
            Assert.Equal((RunStatus.Cancelled, 3L), (stopped.Status, stopped.CompletedIterations));
            Assert.Equal("head_warmup", RunCheckpoint.Latest(pieces)!.Stage);
            Assert.Null(stopped.Export);
        }
        // ... and stopped again inside distillation.
        Assert.Equal(RunStatus.TimeBudget, TinyRuns.Execute(spec.With("execution.max_minutes", 1e-9), pieces).Status);
        Assert.Equal("distill", RunCheckpoint.Latest(pieces)!.Stage);
        Assert.Equal(RunStatus.Completed, TinyRuns.Execute(spec, pieces).Status);
        RunAssert.SameFinalState(whole, pieces);
    }

    [Fact]
    public void Distillation_from_a_training_checkpoint_with_heads_needs_no_warm_up()
    {
        var teacherRun = TinyRuns.TempDir();
        var teacher = TinyRuns.Execute(TinyRuns.Pretrain(steps: 2), teacherRun).Export!.TrainingCheckpoint;
        var output = TinyRuns.TempDir();
        var progress = new RecordingProgress();
        var result = TinyRuns.Execute(TinyRuns.Distill(teacher, steps: 2), output, progress: progress);
        Assert.Equal((RunStatus.Completed, 2L), (result.Status, result.TotalIterations));
        Assert.All(progress.Steps, s => Assert.Equal("distill", s.Stage));

        var mismatch = Assert.Throws<RunSpecException>(() =>
            TinyRuns.Execute(TinyRuns.Distill(teacher, steps: 2).With("heads.prototypes", 32), TinyRuns.TempDir()));
        Assert.Contains("the teacher's heads have 64 / 64 prototypes, the spec 32 / 32", mismatch.Message);
    }
}
