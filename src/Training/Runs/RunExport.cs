using System.Text.Json.Nodes;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Checkpoints;
using EmbeddingService.Training.Train;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// Writes a run's result model to export/: backbone.safetensors (official keys); teacher_checkpoint.pth, the whole model
/// (backbone and heads) in the official <c>{"teacher": state_dict}</c> layout; and config.json, the architecture sidecar
/// the engine's <see cref="ArchitectureSidecar"/> finds beside either file for what a state dict cannot tell (heads,
/// interpolation, eps). Each file is written atomically.
/// </summary>
public static class RunExport
{
    public const string Folder = "export";

    public static RunExportPaths Write(string outputDirectory, SslModel result)
    {
        var folder = Directory.CreateDirectory(Path.Combine(outputDirectory, Folder)).FullName;
        var backbone = Path.Combine(folder, "backbone.safetensors");
        var config = Path.Combine(folder, ArchitectureSidecar.SharedNames[1]);
        var training = Path.Combine(folder, "teacher_checkpoint.pth");
        AtomicFile.Write(backbone, temporary => SafeTensorsWriter.Write(temporary, result.Backbone.state_dict()));
        AtomicFile.WriteAllText(config, Sidecar(result.BackboneConfig).ToJsonString(new() { WriteIndented = true }));
        AtomicFile.Write(training, temporary => TrainingCheckpointFile.Write(temporary, result.state_dict()));
        return new RunExportPaths(backbone, config, training, CheckpointLoader.Fingerprint(backbone));
    }

    /// <summary>The sidecar: the fields the engine reads, and the rest of the architecture for people.</summary>
    public static JsonObject Sidecar(VitConfig config) => new()
    {
        ["architecture"] = VitArchitectures.NameOf(config) ?? "custom",
        ["embed_dim"] = config.EmbedDim,
        ["depth"] = config.Depth,
        ["num_heads"] = config.NumHeads,
        ["patch_size"] = config.PatchSize,
        ["img_size"] = config.ImgSize,
        ["num_registers"] = config.NumRegisters,
        ["ffn"] = config.Ffn == FfnKind.SwiGlu ? "swiglu" : "mlp",
        ["ffn_hidden_dim"] = config.FfnHiddenDim,
        ["interpolate_offset"] = config.InterpolateOffset,
        ["interpolate_antialias"] = config.InterpolateAntialias,
        ["layernorm_eps"] = config.LayerNormEps,
    };
}
