using EmbeddingService.Training.Losses;
using EmbeddingService.Training.Tests.Verification;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Losses;

public sealed class KoLeoCaseVerifierTests
{
    [Fact]
    public void Writes_neighbours_gradients_and_losses()
    {
        using var run = new CaseRun(new KoLeoCaseVerifier(), "koleo", "cls_tokens.npy");
        using var scope = NewDisposeScope();
        var neighbours = run.ActualNpy("nearest_neighbour.npy");
        Assert.Equal(ScalarType.Int64, neighbours.dtype);
        Assert.Equal(run.ExpectedNpy("nearest_neighbour.npy").data<long>().ToArray(), neighbours.data<long>().ToArray());
        foreach (var grad in new[] { "grad_full.npy", "grad_train.npy" })
            Tolerance.WithinScaled(run.ExpectedNpy(grad), run.ActualNpy(grad), 1e-5, grad);
        JsonAssert.Matches(run.Manifest.GetProperty("losses"), run.Result.GetProperty("losses"), 1e-5, "losses", "float64_reference");
    }
}
