using EmbeddingService.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Losses;

/// <summary>
/// The teacher centre's momentum update, deferred as in the official losses: a batch's sum is recorded when the teacher
/// output is known and folded into the centre only when the centre is next needed.
/// </summary>
internal sealed class PendingCenterUpdate(double centerMomentum) : IDisposable
{
    private readonly Scalar momentum = centerMomentum.ToScalar();
    private readonly Scalar complement = (1 - centerMomentum).ToScalar();
    private Tensor? batchSum;
    private long count;

    public void Record(Tensor sum, long samples)
    {
        batchSum?.Dispose();
        batchSum = sum.DetachFromDisposeScope();
        count = samples;
    }

    /// <summary>center ← center·m + (sum / count)·(1 − m), in place; nothing when no batch is pending.</summary>
    public void ApplyTo(Tensor center)
    {
        if (batchSum is null) return;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            using var samples = count.ToScalar();
            center.mul_(momentum).PlusInPlace(batchSum.div(samples).mul_(complement));
        }
        batchSum.Dispose();
        batchSum = null;
    }

    public void Dispose()
    {
        batchSum?.Dispose();
        momentum.Dispose();
        complement.Dispose();
    }
}
