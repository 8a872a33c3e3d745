using System.Text.Json;
using EmbeddingService.Training.Checkpoints;
using EmbeddingService.Training.Train;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Verification;

/// <summary>What the case verifiers share: weights, crops and the state dicts they write.</summary>
internal static class StepCaseParts
{
    /// <summary>A weights file of the case by stem: the .safetensors when present, else the .pth.</summary>
    public static Dictionary<string, Tensor> Weights(CaseFolder folder, string stem)
    {
        var safetensors = folder.PathOf(stem + ".safetensors");
        return TrainingCheckpointFile.Read(File.Exists(safetensors) ? safetensors : folder.PathOf(stem + ".pth"));
    }

    public static void Load(SslModel model, Dictionary<string, Tensor> weights)
    {
        using var noGrad = no_grad();
        var (missing, unexpected) = model.load_state_dict(weights, strict: false);
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"weights do not fit the model: missing {string.Join(", ", missing)}; unexpected {string.Join(", ", unexpected)}");
    }

    public static Dictionary<string, Tensor> Parameters(SslModel model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    public static Dictionary<string, Tensor> Gradients(nn.Module model) =>
        model.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone());

    public static HeadConfig Head(JsonElement head) => new(
        ManifestReader.Int(head, "out_dim"), ManifestReader.Int(head, "hidden_dim"),
        ManifestReader.Int(head, "bottleneck_dim"), ManifestReader.IntOr(head, 3, "nlayers"));

    public static TeacherCentering Centering(string name) => name switch
    {
        "sinkhorn_knopp" => TeacherCentering.SinkhornKnopp,
        "centering" => TeacherCentering.Centering,
        _ => throw new InvalidDataException($"unknown centering '{name}' (expected sinkhorn_knopp or centering)"),
    };

    public static object Scalars(StepResult result) => new Dictionary<string, object>
    {
        ["loss_dict"] = result.Losses.LossDict,
        ["total_loss_backpropagated"] = result.Losses.TotalBackpropagated,
        ["grad_norms_before_clip"] = result.GradNormsBeforeClip,
    };

    public static void DisposeAll(params IEnumerable<IReadOnlyDictionary<string, Tensor>?> dictionaries)
    {
        foreach (var dictionary in dictionaries)
            foreach (var tensor in dictionary?.Values ?? []) tensor.Dispose();
    }
}
