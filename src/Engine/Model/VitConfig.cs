namespace EmbeddingService.Engine.Model;

/// <summary>
/// Architecture of a DINOv2 vision transformer, with the official defaults
/// (patch 14, pos-embed trained for 518×518, LayerNorm eps 1e-6).
/// </summary>
public sealed record VitConfig
{
    public required int EmbedDim { get; init; }
    public required int Depth { get; init; }
    public required int NumHeads { get; init; }
    public int PatchSize { get; init; } = 14;
    /// <summary>Image size the positional embedding was trained for (its grid is ImgSize / PatchSize).</summary>
    public int ImgSize { get; init; } = 518;
    public int InChannels { get; init; } = 3;
    public int NumRegisters { get; init; }
    public FfnKind Ffn { get; init; } = FfnKind.Mlp;
    /// <summary>Hidden width of the FFN; for SwiGLU the official rounding is applied in <see cref="FfnHiddenDim"/>.</summary>
    public double MlpRatio { get; init; } = 4.0;
    /// <summary>0.1 for the original models, 0 for the register models.</summary>
    public double InterpolateOffset { get; init; } = 0.1;
    public bool InterpolateAntialias { get; init; }
    public double LayerNormEps { get; init; } = 1e-6;
    /// <summary>Initial LayerScale gamma (1e-5 for training from scratch, per the DINOv2 recipe).</summary>
    public double LayerScaleInit { get; init; } = 1e-5;
    /// <summary>Blocks scale their residual branches by a learned per-channel gamma (ls1, ls2); official models do.</summary>
    public bool LayerScale { get; init; } = true;
    public bool QkvBias { get; init; } = true;
    public bool ProjBias { get; init; } = true;
    public bool FfnBias { get; init; } = true;
    /// <summary>An explicit FFN hidden width, for checkpoints whose width no mlp ratio reproduces; null uses the ratio.</summary>
    public int? FfnHiddenDimOverride { get; init; }

    public int HeadDim => EmbedDim / NumHeads;
    public int BaseGrid => ImgSize / PatchSize;
    public int NumBasePatches => BaseGrid * BaseGrid;

    public int FfnHiddenDim => FfnHiddenDimOverride ?? Ffn switch
    {
        FfnKind.Mlp => (int)(EmbedDim * MlpRatio),
        // Official SwiGLUFFNFused: hidden = (int(hidden * 2 / 3) + 7) // 8 * 8 with hidden = mlp_ratio * dim.
        FfnKind.SwiGlu => ((int)((int)(EmbedDim * MlpRatio) * 2.0 / 3.0) + 7) / 8 * 8,
        _ => throw new ArgumentOutOfRangeException(nameof(Ffn)),
    };

    /// <summary>Throws with a message naming every inconsistent field.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (EmbedDim <= 0) problems.Add($"embed dim must be positive (got {EmbedDim})");
        if (Depth <= 0) problems.Add($"depth must be positive (got {Depth})");
        if (NumHeads <= 0 || (EmbedDim > 0 && EmbedDim % NumHeads != 0))
            problems.Add($"heads ({NumHeads}) must divide the embed dim ({EmbedDim})");
        if (PatchSize <= 0) problems.Add($"patch size must be positive (got {PatchSize})");
        if (ImgSize <= 0 || (PatchSize > 0 && ImgSize % PatchSize != 0))
            problems.Add($"image size ({ImgSize}) must be a positive multiple of the patch size ({PatchSize})");
        if (NumRegisters < 0) problems.Add($"registers must not be negative (got {NumRegisters})");
        if (MlpRatio <= 0) problems.Add($"mlp ratio must be positive (got {MlpRatio})");
        if (FfnHiddenDimOverride is <= 0) problems.Add($"FFN hidden width must be positive (got {FfnHiddenDimOverride})");
        if (InterpolateOffset < 0) problems.Add($"interpolate offset must not be negative (got {InterpolateOffset})");
        if (problems.Count > 0)
            throw new ArgumentException("Invalid ViT configuration: " + string.Join("; ", problems));
    }

    public override string ToString() =>
        $"ViT(dim={EmbedDim}, depth={Depth}, heads={NumHeads}, patch={PatchSize}, img={ImgSize}, registers={NumRegisters}, ffn={Ffn}×{FfnHiddenDim}, offset={InterpolateOffset}, antialias={InterpolateAntialias}{(LayerScale ? "" : ", no layerscale")}{(QkvBias && ProjBias && FfnBias ? "" : $", biases qkv={QkvBias} proj={ProjBias} ffn={FfnBias}")})";
}
