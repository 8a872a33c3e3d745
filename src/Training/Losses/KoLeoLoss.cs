using EmbeddingService.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Losses;

/// <summary>
/// The Kozachenko-Leonenko entropy regulariser (dinov2 loss/koleo_loss.py): −mean log of each L2-normalised vector's
/// distance to its nearest other vector, spreading the batch's class tokens apart.
/// </summary>
public sealed class KoLeoLoss : nn.Module<Tensor, Tensor>
{
    /// <summary>The eps of the normalisation, of the pairwise distance and inside the log.</summary>
    public const double Eps = 1e-8;

    private static readonly Scalar EpsScalar = Eps.ToScalar();
    private static readonly Scalar SelfDot = (-1.0).ToScalar();

    public KoLeoLoss() : base(nameof(KoLeoLoss)) { }

    /// <summary>For L2-normalised rows [B, D]: the index of each row's nearest other row (largest dot product).</summary>
    public static Tensor PairwiseNNsInner(Tensor x)
    {
        using var noGrad = no_grad();
        using var dots = x.mm(x.t());
        // A dot product with itself of −1 can never win against another unit vector.
        dots.diagonal().fill_(SelfDot);
        return dots.argmax(1);
    }

    public override Tensor forward(Tensor studentOutput)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.normalize(studentOutput, p: 2, dim: -1, eps: Eps);
        var neighbours = PairwiseNNsInner(x);
        // nn.PairwiseDistance adds eps to the difference, not to the distance: ‖xᵢ − xⱼ + eps‖₂.
        var distances = nn.functional.pairwise_distance(x, x.index_select(0, neighbours), p: 2, eps: Eps);
        return distances.add(EpsScalar, Scalars.One).log().mean().neg().MoveToOuterDisposeScope();
    }
}
