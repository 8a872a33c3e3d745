using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Onnx;

/// <summary>
/// The network's forward on ONNX Runtime's CPU kernels: the graph of <see cref="VitOnnxGraph"/> with the network's own
/// weights, one session run per group of equally sized images (attention never mixes sequences, and the token-wise
/// layers of a group run as one GEMM), written straight into the packed [T, D] outputs.
/// The network stays the source of the position embeddings, interpolated once per grid and kept.
/// </summary>
public sealed class OnnxRuntimeBackbone : IPackedForward, IDisposable
{
    private const int MaxCachedGrids = 64;

    private readonly DinoVisionTransformer _network;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly Tensor _prefix;
    private readonly Dictionary<(int Height, int Width), Tensor> _positions = [];
    private readonly Lock _positionsLock = new();

    private OnnxRuntimeBackbone(DinoVisionTransformer network, InferenceSession session, Tensor prefix)
    {
        _network = network;
        _session = session;
        _prefix = prefix;
    }

    /// <summary>Builds the graph from the network (CPU, fp32) and opens a session on <paramref name="threads"/> threads.</summary>
    /// <exception cref="NotSupportedException">The weights are too large for one serialised model.</exception>
    public static OnnxRuntimeBackbone Create(DinoVisionTransformer network, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var session = OpenSession(network, threads);
        ReleaseLoadingMemory();
        return new OnnxRuntimeBackbone(network, session, Prefix(network));
    }

    private static InferenceSession OpenSession(DinoVisionTransformer network, int threads)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        return new InferenceSession(VitOnnxGraph.Build(network), options);
    }

    /// <summary>
    /// Building the session leaves garbage as large as the weights, three times over: the graph's protobuf and its
    /// serialised bytes on the managed heap (called once the method that held the bytes has returned, so that nothing
    /// roots them), and ONNX Runtime's parse of it in the native heap, which glibc keeps unless trimmed.
    /// ViT-L/14 after load: 5.4 GB → 2.6 GB (torch alone: 2.0 GB, same run).
    /// </summary>
    private static void ReleaseLoadingMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.ReleaseFreedMemory();
    }

    /// <summary>Whether a network's weights fit in one ONNX model (ViT-g's do not).</summary>
    public static bool Fits(DinoVisionTransformer network) => VitOnnxGraph.WeightBytes(network) < VitOnnxGraph.MaxModelBytes;

    public PackedFeatures ForwardPacked(IReadOnlyList<Tensor> images, IReadOnlyList<Tensor?>? masks = null, BatchLayout layout = BatchLayout.Packed)
    {
        if (images.Count == 0) throw new ArgumentException("at least one image is required", nameof(images));
        if (masks is not null && masks.Any(mask => mask is not null))
            throw new NotSupportedException("the ONNX Runtime backbone serves unmasked images only; masked forwards run on the TorchSharp network");
        if (layout != BatchLayout.Packed)
            throw new NotSupportedException("the ONNX Runtime backbone runs packed batches only");
        foreach (var image in images)
            if (image.dim() != 3 || image.device_type != TorchSharp.DeviceType.CPU)
                throw new ArgumentException($"each image must be a CPU [C, H, W] tensor, got {image.device_type} [{string.Join(", ", image.shape)}]");
        var config = _network.Config;
        var groups = SizeGroups.Of(images, config.PatchSize)
            .Select(members =>
            {
                var batch = Batch(members.Select(i => images[i]).ToArray());
                var (count, gridHeight, gridWidth) = _network.CheckImages(batch);
                return (Members: members, Images: batch, GridHeight: gridHeight, GridWidth: gridWidth, Length: 1 + config.NumRegisters + gridHeight * gridWidth);
            })
            .ToList();
        try
        {
            var tokens = groups.Sum(group => (long)group.Members.Length * group.Length);
            var normed = empty(tokens, config.EmbedDim, dtype: float32);
            var prenorm = empty(tokens, config.EmbedDim, dtype: float32);
            var sequences = new PackedSequence[images.Count];
            long offset = 0;
            foreach (var group in groups)
            {
                Run(group.Images, Positions(group.GridHeight, group.GridWidth), normed, prenorm, offset, group.Length);
                for (var i = 0; i < group.Members.Length; i++)
                    sequences[group.Members[i]] = new PackedSequence(offset + i * group.Length, group.GridHeight, group.GridWidth, config.NumRegisters);
                offset += group.Members.Length * group.Length;
            }
            return new PackedFeatures(prenorm, normed, sequences);
        }
        finally
        {
            foreach (var group in groups) group.Images.Dispose();
        }
    }

    private void Run(Tensor images, Tensor positions, Tensor normed, Tensor prenorm, long offset, long length)
    {
        var count = images.shape[0];
        long[] outputShape = [count, length, _network.Config.EmbedDim];
        using var normedRows = normed.narrow(0, offset, count * length);
        using var prenormRows = prenorm.narrow(0, offset, count * length);
        using var pixelsValue = Wrap(images, images.shape);
        using var positionsValue = Wrap(positions, positions.shape);
        using var prefixValue = Wrap(_prefix, _prefix.shape);
        using var normedValue = Wrap(normedRows, outputShape);
        using var prenormValue = Wrap(prenormRows, outputShape);
        _session.Run(_runOptions,
            [VitOnnxGraph.Pixels, VitOnnxGraph.Positions, VitOnnxGraph.Prefix], [pixelsValue, positionsValue, prefixValue],
            [VitOnnxGraph.Normed, VitOnnxGraph.Prenorm], [normedValue, prenormValue]);
        // The OrtValues hold raw addresses only: a grid's positions evicted from the cache meanwhile must not be
        // finalised while the session still reads them.
        GC.KeepAlive(positions);
    }

    /// <summary>
    /// [N, C, H, W] of equally sized images: a view of a lone image, else one copy. The copy is a plain memcpy, not
    /// torch.stack: a libtorch parallel op wakes its OpenMP workers, which then spin on the cores ONNX Runtime is about
    /// to use (batch 1 ran 17.5 img/s after a stack, 20.5 with OMP_WAIT_POLICY=PASSIVE).
    /// </summary>
    private static Tensor Batch(Tensor[] images)
    {
        var first = images[0];
        if (images.Length == 1 && first.dtype == float32 && first.is_contiguous()) return first.unsqueeze(0);
        var batch = empty([images.Length, .. first.shape], dtype: float32);
        var bytes = TensorMemory.Bytes(first);
        for (var i = 0; i < images.Length; i++)
        {
            using var source = images[i].to(float32).contiguous();
            using var target = batch[i];
            unsafe
            {
                Buffer.MemoryCopy((void*)TensorMemory.Address(source), (void*)TensorMemory.Address(target), bytes, bytes);
            }
        }
        return batch;
    }

    /// <summary>An OrtValue over a contiguous CPU float32 tensor's memory (no copy; the tensor must outlive it).</summary>
    private static OrtValue Wrap(Tensor tensor, long[] shape) =>
        OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, TensorMemory.Address(tensor), TensorMemory.Bytes(tensor));

    /// <summary>The patches' position embedding for a grid, [1, P, D], interpolated by the network once and kept.</summary>
    private Tensor Positions(int gridHeight, int gridWidth)
    {
        lock (_positionsLock)
        {
            if (_positions.TryGetValue((gridHeight, gridWidth), out var cached)) return cached;
            // Dropped, not disposed: a forward on another thread may still be reading one (the GC frees them).
            if (_positions.Count >= MaxCachedGrids) _positions.Clear();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var full = _network.PositionEmbeddingFor(gridHeight, gridWidth);
            var positions = full.narrow(1, 1, gridHeight * gridWidth).to(float32).contiguous().clone().DetachFromDisposeScope();
            _positions[(gridHeight, gridWidth)] = positions;
            return positions;
        }
    }

    /// <summary>[1, 1 + R, D]: the cls token plus its position embedding, then the register tokens (which get none).</summary>
    private static Tensor Prefix(DinoVisionTransformer network)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weights = network.state_dict();
        var cls = weights["cls_token"].add(weights["pos_embed"].narrow(1, 0, 1), Scalars.One);
        var prefix = network.Config.NumRegisters > 0 ? cat([cls, weights["register_tokens"]], 1) : cls;
        return prefix.to(float32).contiguous().clone().DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _prefix.Dispose();
        lock (_positionsLock)
        {
            foreach (var positions in _positions.Values) positions.Dispose();
            _positions.Clear();
        }
    }
}
