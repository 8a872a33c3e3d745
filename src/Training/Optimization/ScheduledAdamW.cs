using EmbeddingService.Engine.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Optimization;

/// <summary>
/// AdamW over the fused parameter groups (train.py build_optimizer), whose per-group lr and weight decay follow the
/// schedules each iteration (apply_optim_scheduler). Parameters without a gradient are skipped, weight decay included.
/// The update is TorchSharp's AdamW, operation for operation, with every number held in a Scalar until its native
/// call returns: TorchSharp's own passes eight temporaries per parameter, which the GC may finalize mid-call.
/// </summary>
public sealed class ScheduledAdamW : IDisposable
{
    private readonly IReadOnlyList<FusedParameterGroup> groups;
    private readonly GroupSettings[] settings;
    private readonly ParameterState[][] states;
    private readonly double beta1, beta2, eps;

    public ScheduledAdamW(IReadOnlyList<FusedParameterGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentException($"betas must be in [0, 1), got ({beta1}, {beta2})");
        if (eps < 0) throw new ArgumentException($"eps must not be negative, got {eps}");
        this.groups = groups;
        (this.beta1, this.beta2, this.eps) = (beta1, beta2, eps);
        // lr and weight decay are set by ApplyOptimScheduler before each step.
        settings = groups.Select(_ => new GroupSettings()).ToArray();
        states = groups.Select(g => g.Parameters.Select(p => new ParameterState(zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope())).ToArray()).ToArray();
    }

    /// <summary>The lr and weight decay of each group, in the order of the fused groups given.</summary>
    public IReadOnlyList<GroupSettings> Settings => settings;

    /// <summary>Each group: lr = (last-layer lr if it holds a last layer, else lr) · lr multiplier; weight decay = wd · wd multiplier.</summary>
    public void ApplyOptimScheduler(double lr, double wd, double lastLayerLr)
    {
        for (var i = 0; i < groups.Count; i++)
        {
            settings[i].LearningRate = (groups[i].IsLastLayer ? lastLayerLr : lr) * groups[i].LrMultiplier;
            settings[i].WeightDecay = wd * groups[i].WdMultiplier;
        }
    }

    /// <summary>Drops the gradients (set to none, as train.py), so parameters a step does not reach are skipped by the next.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in groups.SelectMany(g => g.Parameters)) parameter.grad = null;
    }

    /// <summary>One AdamW step of every parameter with a gradient: decoupled decay, moments, bias-corrected update.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        using var beta1Scalar = beta1.ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var gradientWeight = (1 - beta1).ToScalar();
        using var squareWeight = (1 - beta2).ToScalar();
        using var epsScalar = eps.ToScalar();
        for (var g = 0; g < groups.Count; g++)
        {
            var (lr, weightDecay) = (settings[g].LearningRate, settings[g].WeightDecay);
            using var decay = (1 - lr * weightDecay).ToScalar();
            for (var i = 0; i < groups[g].Parameters.Count; i++)
            {
                var parameter = groups[g].Parameters[i];
                using var grad = parameter.grad;
                if (grad is null) continue;
                using var scope = NewDisposeScope();
                var state = states[g][i];
                state.Step += 1;
                parameter.mul_(decay);
                var biasCorrection1 = 1 - Math.Pow(beta1, state.Step);
                var biasCorrection2 = 1 - Math.Pow(beta2, state.Step);
                state.ExpAvg.mul_(beta1Scalar).add_(grad, gradientWeight);
                state.ExpAvgSq.mul_(beta2Scalar).addcmul_(grad, grad, squareWeight);
                using var correction = Math.Sqrt(biasCorrection2).ToScalar();
                var denominator = state.ExpAvgSq.sqrt().div(correction).add_(epsScalar, Scalars.One);
                using var stepSize = (-(lr / biasCorrection1)).ToScalar();
                parameter.addcdiv_(state.ExpAvg, denominator, stepSize);
            }
        }
    }

    /// <summary>
    /// The optimiser's state, parameter by parameter in group order: the live first and second moments and the step
    /// count (counted per parameter). A checkpoint writes these; <see cref="LoadState"/> puts them back exactly, so a
    /// resumed run steps as the uninterrupted one.
    /// </summary>
    public IReadOnlyList<AdamWParameterState> State() =>
        states.SelectMany(group => group).Select(s => new AdamWParameterState(s.ExpAvg, s.ExpAvgSq, s.Step)).ToList();

    /// <summary>Copies saved moments and step counts (in the order of <see cref="State"/>) into the optimiser.</summary>
    public void LoadState(IReadOnlyList<AdamWParameterState> saved)
    {
        var all = states.SelectMany(group => group).ToList();
        if (saved.Count != all.Count)
            throw new ArgumentException($"the saved optimiser state has {saved.Count} parameters, the optimiser {all.Count}");
        using var noGrad = no_grad();
        for (var i = 0; i < all.Count; i++)
        {
            var (state, source) = (all[i], saved[i]);
            if (!state.ExpAvg.shape.SequenceEqual(source.ExpAvg.shape) || !state.ExpAvgSq.shape.SequenceEqual(source.ExpAvgSq.shape))
                throw new ArgumentException($"saved optimiser state {i} has shape [{string.Join(", ", source.ExpAvg.shape)}], the parameter [{string.Join(", ", state.ExpAvg.shape)}]");
            state.ExpAvg.copy_(source.ExpAvg);
            state.ExpAvgSq.copy_(source.ExpAvgSq);
            state.Step = source.Step;
        }
    }

    public void Dispose()
    {
        foreach (var state in states.SelectMany(group => group))
        {
            state.ExpAvg.Dispose();
            state.ExpAvgSq.Dispose();
        }
    }

    /// <summary>The scheduled lr and weight decay of one group.</summary>
    public sealed class GroupSettings
    {
        public double LearningRate { get; internal set; }
        public double WeightDecay { get; internal set; }
    }

    private sealed class ParameterState(Tensor expAvg, Tensor expAvgSq)
    {
        public Tensor ExpAvg { get; } = expAvg;
        public Tensor ExpAvgSq { get; } = expAvgSq;
        public long Step { get; set; }
    }
}
