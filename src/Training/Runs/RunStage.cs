using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Optimization;
using EmbeddingService.Training.Train;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// One phase of a run over the global iterations [<see cref="Begin"/>, <see cref="End"/>): pretraining, the head warm-up
/// of a distillation teacher without heads, or distillation. It owns its objective, optimiser and schedules; its models
/// are checkpointed under their <see cref="Models"/> names.
/// </summary>
internal sealed class RunStage : IDisposable
{
    public const string PretrainName = "pretrain";
    public const string HeadWarmupName = "head_warmup";
    public const string DistillName = "distill";

    private readonly List<IDisposable> _owned;

    public RunStage(string name, long begin, long end, ITrainingObjective objective, ScheduledAdamW optimizer, double clipGrad,
        ScheduleConfig schedules, IReadOnlyDictionary<string, SslModel> models, string? resultModel, Generator? dropPathGenerator,
        IEnumerable<IDisposable> owned)
    {
        Name = name;
        Begin = begin;
        End = end;
        Objective = objective;
        Optimizer = optimizer;
        Step = new TrainingStep(objective, optimizer, clipGrad);
        Schedules = new TrainingSchedules(schedules);
        WarmupIterations = schedules.WarmupEpochs * schedules.OfficialEpochLength;
        Models = models;
        ResultName = resultModel;
        DropPathGenerator = dropPathGenerator;
        _owned = [.. owned];
    }

    public string Name { get; }
    public long Begin { get; }
    public long End { get; }
    public ITrainingObjective Objective { get; }
    public ScheduledAdamW Optimizer { get; }
    public TrainingStep Step { get; }
    public TrainingSchedules Schedules { get; }

    /// <summary>The learning-rate warm-up of this stage, in iterations from <see cref="Begin"/>.</summary>
    public int WarmupIterations { get; }
    public IReadOnlyDictionary<string, SslModel> Models { get; }

    /// <summary>The checkpoint name of the model this stage produces (teacher EMA, student EMA); null for the head warm-up.</summary>
    public string? ResultName { get; }

    public SslModel? Result => ResultName is null ? null : Models[ResultName];

    /// <summary>The student's stochastic-depth generator, reseeded from (seed, iteration) before every step; null without stochastic depth.</summary>
    public Generator? DropPathGenerator { get; }

    /// <summary>The schedules' values at a global iteration (each stage's schedules start at its own first iteration).</summary>
    public StepSchedule ScheduleAt(long iteration) => StepSchedule.At(Schedules, (int)(iteration - Begin));

    /// <summary>Hands a model over to the next stage: this stage no longer disposes it.</summary>
    public SslModel Release(string name)
    {
        var model = Models[name];
        _owned.Remove(model);
        return model;
    }

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned)) owned.Dispose();
    }
}
