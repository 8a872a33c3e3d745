using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Train;
using EmbeddingService.Training.Verification;
using static EmbeddingService.Training.Verification.ManifestReader;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Losses;

/// <summary>
/// Case <c>koleo</c>: each cls token's nearest neighbour, KoLeo on the whole batch and as forward_backward uses it
/// (weighted sum over the global-crop chunks), with the gradient of each w.r.t. the tokens.
/// </summary>
public sealed class KoLeoCaseVerifier : ICaseVerifier
{
    public string Kind => "koleo";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        using var scope = NewDisposeScope();
        using var koleo = new KoLeoLoss();
        var weight = Double(folder.Manifest, "params", "koleo_loss_weight");

        var tokens = folder.ReadNpy("cls_tokens.npy").requires_grad_();
        output.WriteNpy("nearest_neighbour.npy", KoLeoLoss.PairwiseNNsInner(nn.functional.normalize(tokens.detach(), p: 2, dim: -1, eps: KoLeoLoss.Eps)));
        var full = koleo.call(tokens);
        full.backward();
        output.WriteNpy("grad_full.npy", tokens.grad!);

        var trainTokens = folder.ReadNpy("cls_tokens.npy").requires_grad_();
        var chunks = trainTokens.chunk(CrossCropDinoTerms.GlobalCrops).Select(koleo.call).ToArray();
        var weighted = chunks.Aggregate((a, b) => a.Plus(b)).Times(weight);
        weighted.backward();
        output.WriteNpy("grad_train.npy", trainTokens.grad!);

        var weightedValue = (double)weighted.item<float>();
        output.WriteJson("result.json", new
        {
            losses = new Dictionary<string, object>
            {
                ["koleo_full"] = (double)full.item<float>(),
                ["koleo_chunks"] = chunks.Select(c => (double)c.item<float>()).ToArray(),
                ["koleo_train_weighted"] = weightedValue,
                // The official loss dict shows it halved (loss_scales); the total uses it whole.
                ["koleo_train_in_loss_dict"] = weightedValue / CrossCropDinoTerms.LossScales,
            },
        });
    }
}
