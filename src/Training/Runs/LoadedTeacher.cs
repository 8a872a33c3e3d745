using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Checkpoints;
using EmbeddingService.Training.Train;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// A distillation teacher as read from disk: its backbone (official keys) and, when the file is a training checkpoint
/// (<c>backbone.*</c>, <c>dino_head.*</c>, <c>ibot_head.*</c>, flat or under "teacher"), its heads. Any backbone the
/// engine loads (official .pth, safetensors, Hugging Face folder) comes without heads.
/// </summary>
internal sealed class LoadedTeacher : IDisposable
{
    private const string BackbonePrefix = "backbone.";

    private LoadedTeacher(VitConfig config, Dictionary<string, Tensor> backbone, Dictionary<string, Tensor>? heads,
        HeadConfig? dinoHead, HeadConfig? ibotHead, string fingerprint)
    {
        Config = config;
        Backbone = backbone;
        Heads = heads;
        DinoHead = dinoHead;
        IbotHead = ibotHead;
        Fingerprint = fingerprint;
    }

    public VitConfig Config { get; }
    public Dictionary<string, Tensor> Backbone { get; }
    /// <summary>dino_head.* and ibot_head.* tensors, or null for a backbone-only checkpoint.</summary>
    public Dictionary<string, Tensor>? Heads { get; }
    public HeadConfig? DinoHead { get; }
    /// <summary>The iBOT head's configuration, or null when the checkpoint shares the DINO head.</summary>
    public HeadConfig? IbotHead { get; }
    public string Fingerprint { get; }

    public bool HasHeads => Heads is not null;

    public static LoadedTeacher Load(string path, int? numHeads)
    {
        var options = new CheckpointLoadOptions { NumHeads = numHeads };
        if (Directory.Exists(path)) return FromBackbone(path, options);
        var flat = TrainingCheckpointFile.Read(path);
        if (!flat.Keys.Any(k => k.StartsWith(BackbonePrefix, StringComparison.Ordinal)))
        {
            foreach (var tensor in flat.Values) tensor.Dispose();
            return FromBackbone(path, options);
        }
        try
        {
            var backbone = OfficialKeyMapper.ToOfficial(flat.Where(e => e.Key.StartsWith(BackbonePrefix, StringComparison.Ordinal))
                .ToDictionary(e => e.Key[BackbonePrefix.Length..], e => e.Value)).State;
            var config = ArchitectureInference.Infer(backbone, ArchitectureSidecar.Complete(path, options));
            StateDictValidator.Validate(backbone, config);
            var heads = flat.Where(e => e.Key.StartsWith("dino_head.", StringComparison.Ordinal) || e.Key.StartsWith("ibot_head.", StringComparison.Ordinal))
                .ToDictionary(e => e.Key, e => e.Value);
            var dino = HeadConfigOf(heads, "dino_head.");
            return new LoadedTeacher(config, backbone, dino is null ? null : heads, dino, HeadConfigOf(heads, "ibot_head."),
                CheckpointLoader.Fingerprint(path));
        }
        catch
        {
            foreach (var tensor in flat.Values) tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The teacher as a frozen model with separate DINO and iBOT heads (what distillation needs): a shared head becomes
    /// two copies of it, which computes the same targets.
    /// </summary>
    public SslModel ToModel()
    {
        if (Heads is null || DinoHead is null) throw new InvalidOperationException("the teacher has no heads");
        var model = new SslModel(Config, DinoHead, IbotHead ?? DinoHead);
        var state = Backbone.ToDictionary(e => BackbonePrefix + e.Key, e => e.Value);
        foreach (var (name, tensor) in Heads) state[name] = tensor;
        if (IbotHead is null)
            foreach (var (name, tensor) in Heads.Where(e => e.Key.StartsWith("dino_head.", StringComparison.Ordinal)))
                state["ibot_head." + name["dino_head.".Length..]] = tensor;
        using (no_grad()) model.load_state_dict(state, strict: true);
        model.Freeze();
        return model;
    }

    /// <summary>A head's shape from its tensors: prototypes and bottleneck from last_layer.weight_v, hidden width and depth from the MLP's Linears.</summary>
    private static HeadConfig? HeadConfigOf(IReadOnlyDictionary<string, Tensor> heads, string prefix)
    {
        if (!heads.TryGetValue(prefix + "last_layer.weight_v", out var last)) return null;
        if (heads.TryGetValue(prefix + "mlp.weight", out _)) return new HeadConfig((int)last.shape[0], 0, (int)last.shape[1], 1);
        var linears = heads.Keys.Where(k => k.StartsWith(prefix + "mlp.", StringComparison.Ordinal) && k.EndsWith(".weight", StringComparison.Ordinal)).Count();
        var hidden = heads.TryGetValue(prefix + "mlp.0.weight", out var first) ? (int)first.shape[0] : 0;
        return new HeadConfig((int)last.shape[0], hidden, (int)last.shape[1], linears);
    }

    private static LoadedTeacher FromBackbone(string path, CheckpointLoadOptions options)
    {
        var checkpoint = CheckpointLoader.Load(path, options);
        return new LoadedTeacher(checkpoint.Config, checkpoint.State, null, null, null, checkpoint.Fingerprint);
    }

    public void Dispose()
    {
        foreach (var tensor in Backbone.Values) tensor.Dispose();
        if (Heads is not null) foreach (var tensor in Heads.Values) tensor.Dispose();
    }
}
