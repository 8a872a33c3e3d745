using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Training.Heads;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Heads;

public sealed class DinoHeadTests
{
    private const string Case = "dinov2-train-parity/dino_head";

    [Fact]
    public void Parameters_have_the_official_names_and_shapes()
    {
        using var head = new DinoHead(48, 64, hiddenDim: 64, bottleneckDim: 32);
        var shapes = head.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal(
            ["mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias", "mlp.4.weight", "mlp.4.bias", "last_layer.weight_g", "last_layer.weight_v"],
            shapes.Keys.ToArray());
        Assert.Equal([64L, 1], shapes["last_layer.weight_g"]);
        Assert.Equal([64L, 32], shapes["last_layer.weight_v"]);
    }

    [Fact]
    public void Initialisation_is_the_official_one()
    {
        using var head = new DinoHead(256, 512, hiddenDim: 512, bottleneckDim: 128);
        var parameters = head.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(1.0, parameters["last_layer.weight_g"].min().item<float>());
        Assert.Equal(1.0, parameters["last_layer.weight_g"].max().item<float>());
        Assert.Equal(0.0, parameters["mlp.2.bias"].abs().max().item<float>());
        var std = parameters["mlp.2.weight"].std().item<float>();
        Assert.InRange(std, 0.019, 0.021);
    }

    [Fact]
    public void Forward_and_backward_match_the_official_head()
    {
        using var scope = NewDisposeScope();
        using var head = new DinoHead(48, 64, hiddenDim: 64, bottleneckDim: 32);
        head.load_state_dict(SafeTensorsReader.Read(Path.Combine(TrainFixtures.Folder(Case), "weights.safetensors")));
        var input = TrainFixtures.Npy(Case, "input.npy").requires_grad_();

        var output = head.call(input);
        Tolerance.Within(TrainFixtures.Npy(Case, "output.npy"), output, 1e-5, "output");

        output.mul(TrainFixtures.Npy(Case, "upstream_grad.npy")).sum().backward();
        Tolerance.WithinScaled(TrainFixtures.Npy(Case, "grad_input.npy"), input.grad!, 1e-5, "grad input");
        var expected = SafeTensorsReader.Read(Path.Combine(TrainFixtures.Folder(Case), "grad_params.safetensors"));
        foreach (var (name, parameter) in head.named_parameters())
            Tolerance.WithinScaled(expected[name], parameter.grad!, 1e-5, $"grad {name}");
    }
}
