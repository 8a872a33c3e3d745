using EmbeddingService.Training;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Runs.Spec;
using EmbeddingService.Training.Train;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// A whole training run as a library call (the CLI and the jobs worker both run this): the official loop (train.py
/// do_train) over the stages of the spec — pretraining; or, for distillation, a head warm-up when the teacher has no
/// heads, then distillation — with checkpoints every N iterations and at the end, resumption from the newest
/// checkpoint of the same spec, metrics.jsonl, collapse warnings, a stop on a non-finite loss, periodic evaluation,
/// a wall-clock budget, and at the end the exported result and summary.json.
/// </summary>
public sealed class TrainingRun
{
    public const string SpecFile = "spec.json";
    public const string SummaryFile = "summary.json";

    private readonly RunSpec _spec;
    private readonly RunContext _context;
    private readonly CancellationToken _cancellation;
    private readonly string _output;
    private readonly string _canonical;
    private readonly string _hash;
    private readonly IRunProgress? _progress;
    private readonly List<string> _warnings = [];
    private readonly SortedDictionary<long, IReadOnlyDictionary<string, double>> _evaluationsByIteration = [];
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Device _device = CPU;
    private LoadedTeacher? _teacher;
    private long _warmupSteps;
    private string? _lastCheckpoint;
    private long _lastCheckpointIteration = -1;
    private StepMetrics? _lastStep;
    private long _imagesThisSession;

    private TrainingRun(RunSpec spec, RunContext context, CancellationToken cancellation)
    {
        _spec = spec;
        _context = context;
        _cancellation = cancellation;
        _output = Directory.CreateDirectory(context.OutputDirectory).FullName;
        _canonical = RunSpecFile.Canonical(spec);
        _hash = RunSpecFile.Hash(spec);
        _progress = context.Progress;
    }

    /// <summary>
    /// Runs (or resumes) the spec's run in <see cref="RunContext.OutputDirectory"/>. Throws <see cref="RunSpecException"/>
    /// when the folder holds checkpoints of another spec (naming the changed fields) or when a required resume finds
    /// none; every other ending — including a non-finite loss — is the returned <see cref="RunResult"/>.
    /// </summary>
    public static RunResult Execute(RunSpec spec, RunContext context, CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureInitialized();
        var run = new TrainingRun(spec, context, cancellationToken);
        try
        {
            return run.Run();
        }
        finally
        {
            run._teacher?.Dispose();
        }
    }

    private RunResult Run()
    {
        var resume = FindResume();
        _device = ApplyExecution(_spec.Execution);
        AtomicFile.WriteAllText(Path.Combine(_output, SpecFile), JsonNode.Parse(_canonical)!.ToJsonString(new() { WriteIndented = true }));
        if (_spec.Kind == RunKind.Distill)
        {
            var d = _spec.Distillation!;
            _teacher = LoadedTeacher.Load(d.Teacher!, d.TeacherNumHeads);
            _warmupSteps = _teacher.HasHeads ? 0 : d.HeadWarmupSteps!.Value;
            if (!_teacher.HasHeads && _warmupSteps == 0)
                throw new RunSpecException(["distillation.head_warmup_steps: the teacher has no DINO/iBOT heads, so they must be trained first: at least 1"]);
        }
        var total = _warmupSteps + _spec.Optim.Steps;
        var start = resume?.Iteration ?? 0;
        if (resume is not null) (_lastCheckpoint, _lastCheckpointIteration) = (resume.Path, resume.Iteration);

        using var metrics = new MetricsLog(_output, start);
        var stage = BuildStage(start, resume);
        try
        {
            _progress?.Started(start, total, resume?.Path);
            if (_spec.Evaluation.AtStart && start == 0 && stage.Result is not null) Evaluate(stage, 0, metrics);
            using var batches = _context.Batches.Open(start);
            var watch = new CollapseWatch();
            var iteration = start;
            RunStatus? stop = null;
            var every = _spec.Checkpoints.EverySteps;
            while (iteration < total)
            {
                if (_cancellation.IsCancellationRequested) { stop = RunStatus.Cancelled; break; }
                if (iteration == stage.End) stage = NextStage(stage);
                var stepClock = Stopwatch.StartNew();
                StepResult result;
                try
                {
                    using var batch = batches.Next(_cancellation);
                    using var scope = NewDisposeScope();
                    if (stage.DropPathGenerator is { } generator)
                        generator.manual_seed(DerivedSeeds.DeriveLong(_spec.Seed, iteration, DerivedSeeds.DropPath));
                    result = stage.Step.Run(batch.On(_device), stage.ScheduleAt(iteration));
                }
                catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
                {
                    stop = RunStatus.Cancelled;
                    break;
                }
                var step = Metrics(stage, iteration, total, result, stepClock.Elapsed.TotalSeconds);
                metrics.Step(step);
                _progress?.Step(step);
                if (NonFinite(result.Losses) is { } term)
                    return Finish(RunStatus.NonFiniteLoss, "non_finite_loss",
                        $"non_finite_loss at iteration {iteration}: {term.Name} = {term.Value}; the last good checkpoint is {_lastCheckpoint ?? "none"}",
                        iteration, total, stage, export: false);
                _lastStep = step;
                _imagesThisSession += _spec.BatchSize;
                foreach (var warning in watch.Check(step.Indicators, armed: iteration - stage.Begin >= stage.WarmupIterations)) Warn(iteration, warning);

                iteration++;
                if (iteration % every == 0 || iteration == total) Checkpoint(stage, iteration);
                if (_spec.Evaluation.EverySteps is { } evalEvery && iteration % evalEvery == 0 && iteration < total) Evaluate(stage, iteration, metrics);
                if (_spec.Execution.MaxMinutes is { } budget && _clock.Elapsed.TotalMinutes >= budget && iteration < total)
                {
                    stop = RunStatus.TimeBudget;
                    break;
                }
            }
            var done = iteration;
            if (_lastCheckpointIteration != done) Checkpoint(stage, done);
            if (stop != RunStatus.Cancelled && stage.Result is not null) Evaluate(stage, done, metrics);
            return stop switch
            {
                null => Finish(RunStatus.Completed, "completed", $"completed {total} iterations", done, total, stage, export: true),
                RunStatus.TimeBudget => Finish(RunStatus.TimeBudget, "time_budget",
                    $"stopped after iteration {done} of {total}: execution.max_minutes {_spec.Execution.MaxMinutes} reached; resume to continue", done, total, stage, export: true),
                _ => Finish(RunStatus.Cancelled, "cancelled", $"cancelled after iteration {done} of {total}; resume to continue", done, total, stage, export: true),
            };
        }
        finally
        {
            stage.Dispose();
        }
    }

    /// <summary>The newest checkpoint to resume from, if any; a checkpoint of another spec is refused, naming what changed.</summary>
    private RunCheckpointInfo? FindResume()
    {
        var latest = RunCheckpoint.Latest(_output);
        if (latest is null)
        {
            if (_context.Resume == ResumeMode.Required)
                throw new RunSpecException([$"--resume: '{_output}' holds no checkpoint to resume from"]);
            return null;
        }
        if (latest.SpecHash != _hash)
        {
            var changed = RunSpecFile.ChangedFields(latest.Spec, _canonical);
            throw new RunSpecException([$"'{_output}' holds a run of another spec (checkpoint {Path.GetFileName(latest.Path)}); changed: {string.Join(", ", changed)}. Use another --out, or the original spec to resume"]);
        }
        return latest;
    }

    /// <summary>Applies the process-wide settings and resolves the device the run computes on.</summary>
    private static Device ApplyExecution(ExecutionSpec execution)
    {
        var device = RunDevice.Resolve(execution.Device, "execution.device");
        if (execution.Threads is { } threads) set_num_threads(threads);
        if (execution.KeepFreedMemory) NativeHeap.KeepFreedMemory();
        return device;
    }

    /// <summary>The stage iteration <paramref name="iteration"/> falls in, restored from <paramref name="checkpoint"/> when given.</summary>
    private RunStage BuildStage(long iteration, RunCheckpointInfo? checkpoint)
    {
        if (_spec.Kind == RunKind.Pretrain)
            return Restored(RunStages.Pretrain(_spec, _device), checkpoint);
        if (iteration < _warmupSteps)
            return Restored(RunStages.HeadWarmup(_spec, _teacher!, (int)_warmupSteps, _device), checkpoint);

        // The distillation teacher: the checkpoint's (heads trained by the warm-up, or saved by distillation), else the file's.
        SslModel teacher;
        if (checkpoint is not null)
        {
            var dino = RunStages.DinoHead(_spec);
            teacher = _teacher!.HasHeads ? _teacher.ToModel() : new SslModel(_teacher.Config, dino, dino with { Prototypes = _spec.Heads.IbotPrototypes!.Value });
            using var saved = new DisposableState(RunCheckpoint.ReadModel(checkpoint.Path, "teacher"));
            using (no_grad()) teacher.load_state_dict(saved.State, strict: true);
        }
        else teacher = _teacher!.ToModel();
        var stage = RunStages.Distill(_spec, teacher, _warmupSteps, _device);
        return checkpoint?.Stage == RunStage.DistillName ? Restored(stage, checkpoint) : stage;
    }

    private static RunStage Restored(RunStage stage, RunCheckpointInfo? checkpoint)
    {
        if (checkpoint is null) return stage;
        if (checkpoint.Stage != stage.Name)
        {
            stage.Dispose();
            throw new InvalidDataException($"checkpoint '{checkpoint.Path}' is of stage {checkpoint.Stage}, but iteration {checkpoint.Iteration} belongs to {stage.Name}");
        }
        RunCheckpoint.Restore(checkpoint.Path, stage);
        return stage;
    }

    /// <summary>From the head warm-up to distillation: its EMA teacher, with trained heads, becomes the frozen teacher.</summary>
    private RunStage NextStage(RunStage warmup)
    {
        var teacher = warmup.Release("teacher");
        warmup.Dispose();
        return RunStages.Distill(_spec, teacher, _warmupSteps, _device);
    }

    private StepMetrics Metrics(RunStage stage, long iteration, long total, StepResult result, double seconds) => new()
    {
        Iteration = iteration,
        TotalIterations = total,
        Stage = stage.Name,
        Losses = result.Losses.LossDict,
        TotalLoss = result.Losses.TotalBackpropagated,
        Lr = result.Schedule.Lr,
        LastLayerLr = result.Schedule.LastLayerLr,
        Wd = result.Schedule.Wd,
        Momentum = result.Schedule.Momentum,
        TeacherTemp = result.Schedule.TeacherTemp,
        GradNorms = result.GradNormsBeforeClip,
        Indicators = result.Losses.Indicators,
        ImagesPerSecond = _spec.BatchSize / seconds,
        StepSeconds = seconds,
        ElapsedSeconds = _clock.Elapsed.TotalSeconds,
    };

    private static (string Name, double Value)? NonFinite(SslLosses losses)
    {
        foreach (var (name, value) in losses.LossDict)
            if (!double.IsFinite(value)) return (name, value);
        return double.IsFinite(losses.TotalBackpropagated) ? null : ("total_loss", losses.TotalBackpropagated);
    }

    private void Warn(long iteration, string message)
    {
        _warnings.Add($"iteration {iteration}: {message}");
        _progress?.Warning(iteration, message);
    }

    private void Checkpoint(RunStage stage, long iteration)
    {
        _lastCheckpoint = RunCheckpoint.Write(_output, stage, iteration, _hash, _canonical, _spec.Checkpoints.KeepLast);
        _lastCheckpointIteration = iteration;
        _progress?.Checkpoint(iteration, _lastCheckpoint);
    }

    private void Evaluate(RunStage stage, long iteration, MetricsLog metrics)
    {
        if (_context.Evaluation is null || stage.Result is null) return;
        IReadOnlyDictionary<string, double> results;
        using (no_grad())
        using (NewDisposeScope())
            results = _context.Evaluation.Evaluate(stage.Result.Backbone, _cancellation);
        _evaluationsByIteration[iteration] = results;
        metrics.Evaluation(iteration, results);
        _progress?.Evaluation(iteration, results);
    }

    private RunResult Finish(RunStatus status, string reason, string message, long done, long total, RunStage stage, bool export)
    {
        var exported = export && stage.Result is not null ? RunExport.Write(_output, stage.Result) : null;
        var finalLosses = _lastStep is null
            ? new Dictionary<string, double>()
            : new Dictionary<string, double>(_lastStep.Losses) { ["total_loss"] = _lastStep.TotalLoss };
        var result = new RunResult
        {
            Status = status,
            Reason = reason,
            Message = message,
            CompletedIterations = done,
            TotalIterations = total,
            LastCheckpoint = _lastCheckpoint,
            Export = exported,
            SummaryPath = Path.Combine(_output, SummaryFile),
            FinalLosses = finalLosses,
            Evaluation = _evaluationsByIteration.Count > 0 ? _evaluationsByIteration.Last().Value : new Dictionary<string, double>(),
        };
        AtomicFile.WriteAllText(result.SummaryPath, Summary(result).ToJsonString(new() { WriteIndented = true }));
        _progress?.Finished(result);
        return result;
    }

    private JsonObject Summary(RunResult result)
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        var summary = new JsonObject
        {
            ["status"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(result.Status.ToString()),
            ["reason"] = result.Reason,
            ["message"] = result.Message,
            ["kind"] = RunSpecFile.Name(_spec.Kind!.Value),
            ["spec_hash"] = _hash,
            ["spec"] = JsonNode.Parse(_canonical),
            ["data"] = JsonSerializer.SerializeToNode(_context.Batches.Counts),
            ["iterations"] = new JsonObject
            {
                ["completed"] = result.CompletedIterations,
                ["total"] = result.TotalIterations,
                ["head_warmup"] = _warmupSteps,
            },
            ["time"] = new JsonObject
            {
                ["started_utc"] = _started.ToString("O"),
                ["finished_utc"] = DateTimeOffset.UtcNow.ToString("O"),
                ["session_seconds"] = seconds,
                ["session_images_per_second"] = seconds > 0 ? _imagesThisSession / seconds : 0,
            },
            ["final_losses"] = JsonSerializer.SerializeToNode(result.FinalLosses, MetricsLog.JsonOptions),
            ["evaluation"] = JsonSerializer.SerializeToNode(result.Evaluation),
            ["evaluations_by_iteration"] = JsonSerializer.SerializeToNode(_evaluationsByIteration.ToDictionary(e => e.Key.ToString(), e => e.Value)),
            ["last_checkpoint"] = result.LastCheckpoint,
            ["export"] = result.Export is { } e
                ? new JsonObject { ["backbone"] = e.Backbone, ["config"] = e.Config, ["training_checkpoint"] = e.TrainingCheckpoint }
                : null,
            ["weights_fingerprint"] = result.Export?.Fingerprint,
            ["device"] = _device.ToString(),
            ["warnings"] = new JsonArray([.. _warnings.Select(w => (JsonNode)w)]),
            ["peak_rss_mb"] = Math.Round(ProcessMemory.PeakRssBytes() / 1e6, 1),
        };
        if (_teacher is not null)
            summary["teacher"] = new JsonObject
            {
                ["source"] = _spec.Distillation!.Teacher,
                ["fingerprint"] = _teacher.Fingerprint,
                ["had_heads"] = _teacher.HasHeads,
                ["architecture"] = _teacher.Config.ToString(),
            };
        return summary;
    }

    private sealed class DisposableState(Dictionary<string, Tensor> state) : IDisposable
    {
        public Dictionary<string, Tensor> State { get; } = state;

        public void Dispose()
        {
            foreach (var tensor in State.Values) tensor.Dispose();
        }
    }
}
