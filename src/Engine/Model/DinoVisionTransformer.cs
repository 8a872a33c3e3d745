using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>
/// The DINOv2 ViT backbone, numerically equal to the official <c>forward_features</c>, with parameters
/// under the official names so state dicts round-trip. Images of different sizes are packed: token-wise
/// layers run on all tokens concatenated ([T, D], no padding), attention per group of equal lengths.
/// </summary>
public sealed class DinoVisionTransformer : nn.Module, IPackedForward
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed;
    private readonly Parameter? register_tokens;
    private readonly Parameter mask_token;
    private readonly PatchEmbed patch_embed;
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly LayerNorm norm;
#pragma warning restore IDE1006

    public DinoVisionTransformer(VitConfig config) : base(nameof(DinoVisionTransformer))
    {
        config.Validate();
        Config = config;
        var dim = config.EmbedDim;
        cls_token = new Parameter(zeros(1, 1, dim));
        pos_embed = new Parameter(zeros(1, 1 + config.NumBasePatches, dim));
        register_tokens = config.NumRegisters > 0 ? new Parameter(zeros(1, config.NumRegisters, dim)) : null;
        mask_token = new Parameter(zeros(1, dim));
        patch_embed = new PatchEmbed(config.PatchSize, config.InChannels, dim);
        blocks = new ModuleList<TransformerBlock>(Enumerable.Range(0, config.Depth).Select(_ => new TransformerBlock(config)).ToArray());
        norm = nn.LayerNorm(dim, config.LayerNormEps);
        RegisterComponents();
    }

    public VitConfig Config { get; }

    /// <summary>
    /// Official forward_features for a batch of equally sized images [N, C, H, W] (H, W multiples of the
    /// patch size), with an optional boolean patch mask [N, P] replacing masked patch embeddings by mask_token.
    /// </summary>
    public BatchFeatures ForwardFeatures(Tensor images, Tensor? masks = null)
    {
        var (count, gridHeight, gridWidth) = CheckImages(images, masks);
        using var features = Encode([(images, masks)], BatchLayout.Packed);
        var length = 1 + Config.NumRegisters + gridHeight * gridWidth;
        using var prenorm = features.Prenorm.view(count, length, Config.EmbedDim);
        using var normed = features.Normed.view(count, length, Config.EmbedDim);
        return new BatchFeatures(
            normed.select(1, 0),
            normed.narrow(1, 1, Config.NumRegisters),
            normed.narrow(1, 1 + Config.NumRegisters, gridHeight * gridWidth),
            prenorm.alias(),
            gridHeight,
            gridWidth);
    }

    /// <summary>
    /// One forward over images of any sizes ([C, H, W] each); equal to forwarding each alone. Packed (the
    /// default) or, for comparison, padded to the longest sequence.
    /// </summary>
    public PackedFeatures ForwardPacked(IReadOnlyList<Tensor> images, IReadOnlyList<Tensor?>? masks = null, BatchLayout layout = BatchLayout.Packed)
    {
        if (images.Count == 0) throw new ArgumentException("at least one image is required", nameof(images));
        if (masks is not null && masks.Count != images.Count)
            throw new ArgumentException($"{masks.Count} masks for {images.Count} images", nameof(masks));
        foreach (var image in images)
            if (image.dim() != 3) throw new ArgumentException($"each image must be [C, H, W], got [{string.Join(", ", image.shape)}]");

        var sizeGroups = new List<(int[] Members, Tensor Images, Tensor? Masks)>();
        try
        {
            foreach (var members in SizeGroups.Of(images, Config.PatchSize))
            {
                var batch = stack(members.Select(i => images[i]).ToArray());
                Tensor? maskBatch = null;
                if (masks is not null && members.Any(i => masks[i] is not null))
                    maskBatch = stack(members.Select(i => masks[i] ?? zeros(PatchCount(images[i]), dtype: @bool, device: images[i].device)).ToArray());
                sizeGroups.Add((members, batch, maskBatch));
                CheckImages(batch, maskBatch);
            }
            using var packed = Encode(sizeGroups.Select(g => (g.Images, g.Masks)).ToList(), layout);
            var sequences = new PackedSequence[images.Count];
            var index = 0;
            foreach (var group in sizeGroups)
                foreach (var member in group.Members)
                    sequences[member] = packed.Sequences[index++];
            return new PackedFeatures(packed.Prenorm.alias(), packed.Normed.alias(), sequences);
        }
        finally
        {
            foreach (var group in sizeGroups)
            {
                group.Images.Dispose();
                group.Masks?.Dispose();
            }
        }
    }

    /// <summary>
    /// official forward_features_list: several batches of equally sized images (each [N, C, H, W] with an optional
    /// bool patch mask [N, P]) in one packed forward, one <see cref="BatchFeatures"/> per batch. Differentiable:
    /// with autograd on, this is the student's single forward over global and local crops.
    /// </summary>
    public IReadOnlyList<BatchFeatures> ForwardFeaturesList(IReadOnlyList<(Tensor Images, Tensor? Masks)> batches)
    {
        if (batches.Count == 0) throw new ArgumentException("at least one batch is required", nameof(batches));
        var grids = batches.Select(batch => CheckImages(batch.Images, batch.Masks)).ToArray();
        using var packed = Encode(batches, BatchLayout.Packed);
        var results = new List<BatchFeatures>(batches.Count);
        long offset = 0;
        foreach (var (count, gridHeight, gridWidth) in grids)
        {
            var length = 1 + Config.NumRegisters + gridHeight * gridWidth;
            using var prenorm = packed.Prenorm.narrow(0, offset, count * length).view(count, length, Config.EmbedDim);
            using var normed = packed.Normed.narrow(0, offset, count * length).view(count, length, Config.EmbedDim);
            results.Add(new BatchFeatures(
                normed.select(1, 0),
                normed.narrow(1, 1, Config.NumRegisters),
                normed.narrow(1, 1 + Config.NumRegisters, gridHeight * gridWidth),
                prenorm.alias(),
                gridHeight,
                gridWidth));
            offset += count * length;
        }
        return results;
    }

    /// <summary>
    /// Stochastic depth for training forwards (autograd on and <c>train()</c> mode); null turns it off.
    /// Inference and <c>eval()</c> forwards never drop.
    /// </summary>
    public void ConfigureStochasticDepth(StochasticDepth? depth, IStochasticDepthSampler? sampler)
    {
        for (var i = 0; i < blocks.Count; i++)
            blocks[i].SetStochasticDepth(depth?.RateOfBlock(i, blocks.Count) ?? 0, depth?.Mode ?? StochasticDepthMode.BatchSubset, sampler);
    }

    /// <summary>
    /// Runs the linear layers of autograd-free forwards on oneDNN (<see cref="InferenceLinear"/>) or, when false, on
    /// libtorch's default GEMM. For served models only: training keeps libtorch's arithmetic.
    /// </summary>
    public void UseOneDnnLinears(bool enabled)
    {
        foreach (var linear in modules().OfType<InferenceLinear>()) linear.UseOneDnn = enabled;
    }

    /// <summary>The [in, out] features of every linear layer.</summary>
    public IEnumerable<(long In, long Out)> LinearShapes => modules().OfType<InferenceLinear>().Select(linear => linear.Shape);

    /// <summary>interpolate_pos_encoding: the positional embedding for a grid of patches, [1, 1 + H·W, D].</summary>
    public Tensor PositionEmbeddingFor(int gridHeight, int gridWidth)
    {
        var baseGrid = Config.BaseGrid;
        if (gridHeight == baseGrid && gridWidth == baseGrid) return pos_embed.alias();
        using var scope = NewDisposeScope();
        var embed = pos_embed.to(float32);
        var classEmbed = embed.narrow(1, 0, 1);
        var grid = embed.narrow(1, 1, Config.NumBasePatches)
            .reshape(1, baseGrid, baseGrid, Config.EmbedDim)
            .permute(0, 3, 1, 2);
        // With an offset the official code passes a scale factor, which (not the output size) sets the
        // sampling step: source = (i + 0.5) · base / (g + offset) − 0.5. Without one it passes the size.
        var resized = Config.InterpolateOffset > 0
            ? nn.functional.interpolate(grid,
                scale_factor: [(gridHeight + Config.InterpolateOffset) / baseGrid, (gridWidth + Config.InterpolateOffset) / baseGrid],
                mode: InterpolationMode.Bicubic, align_corners: false, antialias: Config.InterpolateAntialias)
            : nn.functional.interpolate(grid, size: [gridHeight, gridWidth],
                mode: InterpolationMode.Bicubic, align_corners: false, antialias: Config.InterpolateAntialias);
        if (resized.shape[2] != gridHeight || resized.shape[3] != gridWidth)
            throw new InvalidOperationException($"pos-embed interpolation gave {resized.shape[2]}×{resized.shape[3]} for a {gridHeight}×{gridWidth} grid");
        var patches = resized.permute(0, 2, 3, 1).reshape(1, gridHeight * gridWidth, Config.EmbedDim);
        return cat([classEmbed, patches], 1).to(pos_embed.dtype).MoveToOuterDisposeScope();
    }

    private PackedFeatures Encode(IReadOnlyList<(Tensor Images, Tensor? Masks)> sizeGroups, BatchLayout layout)
    {
        var embedded = new List<(Tensor Tokens, int GridHeight, int GridWidth)>(sizeGroups.Count);
        foreach (var (images, masks) in sizeGroups)
        {
            var gridHeight = (int)images.shape[2] / Config.PatchSize;
            var gridWidth = (int)images.shape[3] / Config.PatchSize;
            embedded.Add((EmbedTokens(images, masks, gridHeight, gridWidth), gridHeight, gridWidth));
        }
        var (x, sequences, attentionGroups) = layout == BatchLayout.Padded ? PadToLongest(embedded) : Pack(embedded);
        foreach (var (tokens, _, _) in embedded) tokens.Dispose();
        try
        {
            foreach (var block in blocks)
            {
                var next = block.call(x, attentionGroups);
                x.Dispose();
                x = next;
            }
            return new PackedFeatures(x, norm.call(x), sequences);
        }
        finally
        {
            foreach (var group in attentionGroups) group.KeyMask?.Dispose();
        }
    }

    /// <summary>All sequences end to end in one [T, D]; equal lengths form one attention group.</summary>
    private (Tensor, List<PackedSequence>, List<SequenceGroup>) Pack(List<(Tensor Tokens, int GridHeight, int GridWidth)> embedded)
    {
        var sequences = new List<PackedSequence>();
        var attentionGroups = new List<SequenceGroup>();
        var parts = new Tensor[embedded.Count];
        long offset = 0;
        for (var g = 0; g < embedded.Count; g++)
        {
            var (tokens, gridHeight, gridWidth) = embedded[g];
            var (count, length) = (tokens.shape[0], tokens.shape[1]);
            parts[g] = tokens.reshape(count * length, Config.EmbedDim);
            for (var i = 0; i < count; i++)
                sequences.Add(new PackedSequence(offset + i * length, gridHeight, gridWidth, Config.NumRegisters));
            if (attentionGroups.Count > 0 && attentionGroups[^1].Length == length)
                attentionGroups[^1] = attentionGroups[^1] with { Count = attentionGroups[^1].Count + count };
            else
                attentionGroups.Add(new SequenceGroup(offset, length, count));
            offset += count * length;
        }
        var x = parts.Length == 1 ? parts[0] : cat(parts, 0);
        if (parts.Length > 1)
            foreach (var part in parts) part.Dispose();
        return (x, sequences, attentionGroups);
    }

    /// <summary>Every sequence zero-padded to the longest, [N·L, D], with a key mask hiding the padding from attention.</summary>
    private (Tensor, List<PackedSequence>, List<SequenceGroup>) PadToLongest(List<(Tensor Tokens, int GridHeight, int GridWidth)> embedded)
    {
        var longest = embedded.Max(e => e.Tokens.shape[1]);
        var count = embedded.Sum(e => e.Tokens.shape[0]);
        var sequences = new List<PackedSequence>();
        var parts = new Tensor[embedded.Count];
        var lengths = new List<long>();
        for (var g = 0; g < embedded.Count; g++)
        {
            var (tokens, gridHeight, gridWidth) = embedded[g];
            var length = tokens.shape[1];
            using var padded = nn.functional.pad(tokens, [0, 0, 0, longest - length]);
            parts[g] = padded.reshape(-1, Config.EmbedDim);
            for (var i = 0; i < tokens.shape[0]; i++)
            {
                sequences.Add(new PackedSequence(sequences.Count * longest, gridHeight, gridWidth, Config.NumRegisters));
                lengths.Add(length);
            }
        }
        var x = parts.Length == 1 ? parts[0] : cat(parts, 0);
        if (parts.Length > 1)
            foreach (var part in parts) part.Dispose();
        using var positions = arange(longest, device: x.device);
        using var limits = tensor(lengths.ToArray(), device: x.device);
        var keyMask = positions.unsqueeze(0).lt(limits.unsqueeze(1)).view(count, 1, 1, longest);
        return (x, sequences, [new SequenceGroup(0, longest, count, keyMask)]);
    }

    /// <summary>prepare_tokens_with_masks: patch embed, mask, cls, pos-embed, registers → [N, 1 + R + P, D].</summary>
    private Tensor EmbedTokens(Tensor images, Tensor? masks, int gridHeight, int gridWidth)
    {
        using var scope = NewDisposeScope();
        var count = images.shape[0];
        var patches = patch_embed.call(images);
        if (masks is not null)
            patches = where(masks.unsqueeze(-1), mask_token.to(patches.dtype).unsqueeze(0), patches);
        var withCls = cat([cls_token.expand(count, -1, -1), patches], 1);
        var positioned = withCls.add(PositionEmbeddingFor(gridHeight, gridWidth), Scalars.One);
        var tokens = register_tokens is null
            ? positioned
            : cat([positioned.narrow(1, 0, 1), register_tokens.expand(count, -1, -1), positioned.narrow(1, 1, gridHeight * gridWidth)], 1);
        return tokens.MoveToOuterDisposeScope();
    }

    /// <summary>Throws unless the images are [N, C, H, W] with sides positive multiples of the patch size (and the masks fit); returns N and the grid.</summary>
    public (long Count, int GridHeight, int GridWidth) CheckImages(Tensor images, Tensor? masks = null)
    {
        if (images.dim() != 4 || images.shape[1] != Config.InChannels)
            throw new ArgumentException($"images must be [N, {Config.InChannels}, H, W], got [{string.Join(", ", images.shape)}]");
        var (height, width) = (images.shape[2], images.shape[3]);
        if (height < Config.PatchSize || width < Config.PatchSize || height % Config.PatchSize != 0 || width % Config.PatchSize != 0)
            throw new ArgumentException($"image size {height}×{width} is not a positive multiple of the patch size {Config.PatchSize}");
        var grid = ((int)(height / Config.PatchSize), (int)(width / Config.PatchSize));
        if (masks is not null && (masks.dtype != @bool || masks.dim() != 2 || masks.shape[0] != images.shape[0] || masks.shape[1] != grid.Item1 * grid.Item2))
            throw new ArgumentException($"masks must be bool [{images.shape[0]}, {grid.Item1 * grid.Item2}], got {masks.dtype} [{string.Join(", ", masks.shape)}]");
        return (images.shape[0], grid.Item1, grid.Item2);
    }

    private long PatchCount(Tensor image) => image.shape[1] / Config.PatchSize * (image.shape[2] / Config.PatchSize);
}
