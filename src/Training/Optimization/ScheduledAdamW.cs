using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Optimization;

/// <summary>
/// AdamW over the fused parameter groups (train.py build_optimizer), whose per-group lr and weight decay follow the
/// schedules each iteration (apply_optim_scheduler). Parameters without a gradient are skipped, weight decay included.
/// </summary>
public sealed class ScheduledAdamW : IDisposable
{
    private readonly IReadOnlyList<FusedParameterGroup> groups;
    private readonly AdamW.ParamGroup[] paramGroups;
    private readonly AdamW optimizer;

    public ScheduledAdamW(IReadOnlyList<FusedParameterGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        this.groups = groups;
        // lr and weight decay are set by ApplyOptimScheduler before each step.
        paramGroups = groups.Select(g => new AdamW.ParamGroup(g.Parameters, lr: 0, beta1: beta1, beta2: beta2, eps: eps, weight_decay: 0)).ToArray();
        optimizer = optim.AdamW(paramGroups, lr: 0, beta1: beta1, beta2: beta2, eps: eps);
    }

    /// <summary>The optimiser's groups, in the order of the fused groups given.</summary>
    public IReadOnlyList<AdamW.ParamGroup> ParamGroups => paramGroups;

    /// <summary>Each group: lr = (last-layer lr if it holds a last layer, else lr) · lr multiplier; weight decay = wd · wd multiplier.</summary>
    public void ApplyOptimScheduler(double lr, double wd, double lastLayerLr)
    {
        for (var i = 0; i < groups.Count; i++)
        {
            paramGroups[i].Options.LearningRate = (groups[i].IsLastLayer ? lastLayerLr : lr) * groups[i].LrMultiplier;
            paramGroups[i].Options.weight_decay = wd * groups[i].WdMultiplier;
        }
    }

    /// <summary>Drops the gradients (set to none, as train.py), so parameters a step does not reach are skipped by the next.</summary>
    public void ZeroGrad()
    {
        // TorchSharp's zero_grad fills zeros, and a zero gradient would still be stepped (weight decay, moments).
        foreach (var parameter in groups.SelectMany(g => g.Parameters)) parameter.grad = null;
    }

    public void Step() => optimizer.step();

    /// <summary>
    /// The optimiser's state, parameter by parameter in group order: the live first and second moments and the step
    /// count (TorchSharp counts steps per parameter). A checkpoint writes these; <see cref="LoadState"/> puts them back
    /// exactly, so a resumed run steps as the uninterrupted one.
    /// </summary>
    public IReadOnlyList<AdamWParameterState> State() =>
        optimizer.state_dict().State.Cast<AdamW.State>().Select(s => new AdamWParameterState(s.exp_avg, s.exp_avg_sq, s.step)).ToList();

    /// <summary>Copies saved moments and step counts (in the order of <see cref="State"/>) into the optimiser.</summary>
    public void LoadState(IReadOnlyList<AdamWParameterState> saved)
    {
        var states = optimizer.state_dict().State.Cast<AdamW.State>().ToList();
        if (saved.Count != states.Count)
            throw new ArgumentException($"the saved optimiser state has {saved.Count} parameters, the optimiser {states.Count}");
        using var noGrad = no_grad();
        for (var i = 0; i < states.Count; i++)
        {
            var (state, source) = (states[i], saved[i]);
            if (!state.exp_avg.shape.SequenceEqual(source.ExpAvg.shape) || !state.exp_avg_sq.shape.SequenceEqual(source.ExpAvgSq.shape))
                throw new ArgumentException($"saved optimiser state {i} has shape [{string.Join(", ", source.ExpAvg.shape)}], the parameter [{string.Join(", ", state.exp_avg.shape)}]");
            state.exp_avg.copy_(source.ExpAvg);
            state.exp_avg_sq.copy_(source.ExpAvgSq);
            state.step = source.Step;
        }
    }

    public void Dispose() => optimizer.Dispose();
}
