using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

/// <summary>The modules are trainable: with autograd on, the forward equals the in-place inference path and gradients reach every parameter.</summary>
public sealed class AutogradTests
{
    public AutogradTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void TrainingForwardEqualsInferenceForwardAndBackpropagatesToEveryParameter()
    {
        using var scope = NewDisposeScope();
        using var loaded = FixtureModels.Load("reg");
        var model = loaded.Network;
        var images = new[] { randn([3, 56, 70], generator: new Generator(1)), randn([3, 42, 42], generator: new Generator(2)) };
        var masks = new Tensor?[] { zeros([20], dtype: @bool).index_fill_(0, tensor(new long[] { 1, 7 }), true), null };

        using var trained = model.ForwardPacked(images, masks);
        Assert.True(trained.Normed.requires_grad);
        using (no_grad())
        {
            using var inferred = model.ForwardPacked(images, masks);
            TensorAssert.Close(inferred.Normed, trained.Normed.detach(), 1e-5, "normed tokens");
            TensorAssert.Close(inferred.Prenorm, trained.Prenorm.detach(), 1e-5, "prenorm tokens");
        }

        trained.Normed.pow(2).sum().backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.True(parameter.grad is not null, $"{name} has no gradient");
            Assert.True(parameter.grad!.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
    }
}
