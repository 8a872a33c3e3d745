namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// model: the trained backbone (the student). <see cref="Arch"/> names an engine architecture (vits14, vitb14, vitl14,
/// vitg14, each also *_reg) whose settings the explicit fields override; without it embed_dim, depth and num_heads are
/// required. <see cref="Init"/> is "random" (seeded by the run's seed) or a backbone checkpoint the engine loads.
/// </summary>
public sealed record ModelSpec
{
    public const string RandomInit = "random";

    public string? Arch { get; init; }
    public int? EmbedDim { get; init; }
    public int? Depth { get; init; }
    public int? NumHeads { get; init; }
    public int? PatchSize { get; init; }
    public int? NumRegisters { get; init; }
    /// <summary>"mlp" or "swiglu".</summary>
    public string? Ffn { get; init; }
    public double? MlpRatio { get; init; }
    /// <summary>The image size the position embedding is made for; default: crops.global_size (as official training).</summary>
    public int? ImgSize { get; init; }
    public double LayerscaleInit { get; init; } = 1e-5;
    /// <summary>Stochastic depth of the last block; default 0.1 for pretraining, 0 (none) for distillation.</summary>
    public double? DropPathRate { get; init; }
    public bool DropPathUniform { get; init; } = true;
    public string Init { get; init; } = RandomInit;
}
