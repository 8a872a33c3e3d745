using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Training.Verification;
using static EmbeddingService.Training.Verification.ManifestReader;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Heads;

/// <summary>
/// Case <c>dino_head</c>: the head of the manifest's params with the case's weights, forward of <c>input</c> and the
/// backward of Σ output · upstream_grad; writes the output and the gradients of the input and of every parameter.
/// </summary>
public sealed class DinoHeadCaseVerifier : ICaseVerifier
{
    public string Kind => "dino_head";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        using var scope = NewDisposeScope();
        var p = At(folder.Manifest, "params");
        using var head = new DinoHead(Int(p, "in_dim"), Int(p, "out_dim"), Int(p, "hidden_dim"), Int(p, "bottleneck_dim"), IntOr(p, 3, "nlayers"));
        head.load_state_dict(SafeTensorsReader.Read(folder.PathOf("weights.safetensors")));
        var input = folder.ReadNpy("input.npy").requires_grad_();

        var result = head.call(input);
        result.mul(folder.ReadNpy("upstream_grad.npy")).sum().backward();
        output.WriteNpy("output.npy", result.detach());
        output.WriteNpy("grad_input.npy", input.grad!);
        output.WriteSafeTensors("grad_params.safetensors", StepCaseParts.Gradients(head));
    }
}
