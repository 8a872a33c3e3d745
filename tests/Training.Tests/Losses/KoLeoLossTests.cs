using EmbeddingService.Training.Losses;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Losses;

public sealed class KoLeoLossTests
{
    private const string Case = "dinov2-train-parity/koleo";

    [Fact]
    public void Nearest_neighbours_loss_and_gradient_match()
    {
        using var scope = NewDisposeScope();
        using var koleo = new KoLeoLoss();
        var tokens = TrainFixtures.Npy(Case, "cls_tokens.npy").requires_grad_();

        var neighbours = KoLeoLoss.PairwiseNNsInner(nn.functional.normalize(tokens.detach(), p: 2, dim: -1, eps: 1e-8));
        Assert.Equal(TrainFixtures.Npy(Case, "nearest_neighbour.npy").data<long>().ToArray(), neighbours.data<long>().ToArray());

        var value = koleo.call(tokens);
        var expected = TrainFixtures.Manifest(Case).GetProperty("losses");
        Tolerance.Relative(expected.GetProperty("koleo_full").GetDouble(), value.item<float>(), 1e-5, "koleo");
        value.backward();
        Tolerance.WithinScaled(TrainFixtures.Npy(Case, "grad_full.npy"), tokens.grad!, 1e-5, "grad");
    }

    [Fact]
    public void Training_use_weights_the_sum_over_global_crop_chunks()
    {
        using var scope = NewDisposeScope();
        using var koleo = new KoLeoLoss();
        var tokens = TrainFixtures.Npy(Case, "cls_tokens.npy").requires_grad_();
        var expected = TrainFixtures.Manifest(Case).GetProperty("losses");

        var chunks = tokens.chunk(2).Select(koleo.call).ToArray();
        var chunkValues = expected.GetProperty("koleo_chunks").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (var i = 0; i < 2; i++) Tolerance.Relative(chunkValues[i], chunks[i].item<float>(), 1e-5, $"chunk {i}");

        var weighted = chunks[0].add(chunks[1]).mul(0.1);
        Tolerance.Relative(expected.GetProperty("koleo_train_weighted").GetDouble(), weighted.item<float>(), 1e-5, "weighted");
        Tolerance.Relative(expected.GetProperty("koleo_train_in_loss_dict").GetDouble(), weighted.item<float>() / 2, 1e-5, "loss_dict");
        weighted.backward();
        Tolerance.WithinScaled(TrainFixtures.Npy(Case, "grad_train.npy"), tokens.grad!, 1e-5, "grad");
    }
}
