using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Losses;

/// <summary>The Sinkhorn-Knopp teacher targets shared by the DINO and iBOT losses; only the sample count B differs.</summary>
internal static class SinkhornKnopp
{
    /// <summary>
    /// Balanced soft assignments of <paramref name="teacherOutput"/> [rows, K] to the K prototypes: each prototype gets
    /// 1/K of the mass, each of the <paramref name="samples"/> columns 1/B, then columns are rescaled to sum to 1.
    /// As official: exp(logits / temp) without subtracting a max (it overflows past logits/temp ≈ 88 in fp32).
    /// </summary>
    public static Tensor Assign(Tensor teacherOutput, double teacherTemp, Tensor samples, int nIterations)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // Reduced-precision logits are upcast like the official .float(); fp32/fp64 keep their precision.
        var logits = teacherOutput.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? teacherOutput.to(float32) : teacherOutput;
        using var temp = teacherTemp.ToScalar();
        var q = logits.div(temp).exp_().t();
        using var prototypes = q.shape[0].ToScalar();
        q.div_(q.sum());
        for (var i = 0; i < nIterations; i++)
        {
            q.div_(q.sum(1, keepdim: true)).div_(prototypes);
            q.div_(q.sum(0, keepdim: true)).div_(samples);
        }
        // Contiguous rows for the loss's row-wise dot products (a transposed view would be copied there, at the peak).
        return q.mul_(samples).t().contiguous().MoveToOuterDisposeScope();
    }
}
