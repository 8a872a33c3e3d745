using EmbeddingService.Training.Heads;
using EmbeddingService.Training.Tests.Verification;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Heads;

public sealed class DinoHeadCaseVerifierTests
{
    [Fact]
    public void Writes_the_output_and_gradients_of_the_official_head()
    {
        using var run = new CaseRun(new DinoHeadCaseVerifier(), "dino_head", "weights.safetensors", "input.npy", "upstream_grad.npy");
        using var scope = NewDisposeScope();
        Tolerance.Within(run.ExpectedNpy("output.npy"), run.ActualNpy("output.npy"), 1e-5, "output");
        Tolerance.WithinScaled(run.ExpectedNpy("grad_input.npy"), run.ActualNpy("grad_input.npy"), 1e-5, "grad input");
        var (expected, actual) = (run.ExpectedSafeTensors("grad_params.safetensors"), run.ActualSafeTensors("grad_params.safetensors"));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, grad) in expected) Tolerance.WithinScaled(grad, actual[name], 1e-5, $"grad {name}");
    }
}
