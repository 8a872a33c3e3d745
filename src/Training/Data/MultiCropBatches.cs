using EmbeddingService.Training;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Training.Augmentation;
using EmbeddingService.Training.Masking;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Data;

/// <summary>
/// The training batches of an image folder, as the official data loader makes them: an infinite shuffled sample stream
/// (<see cref="SampleOrder"/>), each sample decoded and augmented by <see cref="DataAugmentationDino"/>, the batch's masks
/// drawn and everything collated by <see cref="BatchCollator"/> (collate_data_and_cast).
/// <para>Batch i holds stream positions i·B .. i·B + B - 1. Sample p's augmentation draws come from a generator seeded by
/// (seed, p) and batch i's masks from one seeded by (seed, i), so a batch is a pure function of the seed, its index and
/// the files, whatever the worker count or thread timing. A sample whose image does not decode takes the next image of
/// the same epoch's order (wrapping), and the file is remembered as unreadable; when no image of the dataset decodes,
/// <see cref="Next"/> throws <c>dataset_unreadable</c>.</para>
/// <para><see cref="MultiCropDataOptions.Workers"/> threads decode and augment samples in stream order, never more than
/// <see cref="MultiCropDataOptions.PrefetchBatches"/> batches ahead of the one <see cref="Next"/> returns. Each worker
/// writes its sample's normalised crops straight into the batch's crop-major tensors (row c·B + s, as
/// <see cref="CropStacking"/> stacks them), and the thread that finishes a batch's last sample draws its masks
/// (<see cref="BatchCollator.CollateMasks"/>). A tensor per crop and a stack cost more than the whole augmentation of a
/// 28-pixel image: writing in place halved the normalise-and-collate time per image (6.1 against 11.5 ms, one thread,
/// 2 × 112 + 8 × 48 crops, a loaded 2-core machine).</para>
/// </summary>
public sealed class MultiCropBatches : ITrainingBatches
{
    private const int MaxExamples = 10;

    private readonly ImageFolderDataset _data;
    private readonly SampleOrder _order;
    private readonly DataAugmentationDino _augmentation;
    private readonly ImageDecoder _decoder = new();
    private readonly ConcurrentDictionary<int, string> _unreadable = new();
    private readonly Thread[] _workers;

    private readonly object _gate = new();
    private readonly Dictionary<long, PendingBatch> _pending = [];
    private readonly Dictionary<long, CollatedBatch> _ready = [];
    private long _nextPosition;
    private long _nextIteration;
    private ExceptionDispatchInfo? _failure;
    private volatile bool _stopping;
    private bool _disposed;
    private long _decoded;
    private long _replaced;

    /// <param name="startIteration">The first batch <see cref="Next"/> returns: 0 for a new run, the step to resume at otherwise.</param>
    public MultiCropBatches(ImageFolderDataset data, MultiCropDataOptions options, long startIteration = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(startIteration);
        if (data.Images.Count == 0) throw new DatasetException(DatasetException.Empty, $"dataset '{data.Root}' holds no image");
        _data = data;
        Options = options;
        _order = new SampleOrder(data.Images.Count, options.Seed);
        _augmentation = new DataAugmentationDino(options.Augmentation);
        _nextIteration = startIteration;
        _nextPosition = startIteration * options.BatchSize;
        _workers = new Thread[options.Workers];
        for (var w = 0; w < _workers.Length; w++)
        {
            _workers[w] = new Thread(Work) { IsBackground = true, Name = $"multicrop-{w}" };
            _workers[w].Start();
        }
    }

    public MultiCropDataOptions Options { get; }

    public int BatchSize => Options.BatchSize;

    public long NextIteration
    {
        get
        {
            lock (_gate) return _nextIteration;
        }
    }

    public DataLoadCounts Counts
    {
        get
        {
            var unreadable = _unreadable.ToArray();
            var examples = unreadable
                .Select(u => (Path: _data.Images[u.Key].RelativePath, Reason: u.Value))
                .OrderBy(u => u.Path, StringComparer.Ordinal)
                .Take(MaxExamples)
                .Select(u => $"{u.Path} ({u.Reason})")
                .ToArray();
            return new DataLoadCounts(Interlocked.Read(ref _decoded), Interlocked.Read(ref _replaced), unreadable.Length, examples);
        }
    }

    /// <summary>Blocks until batch <see cref="NextIteration"/> is ready; a worker's failure is thrown here.</summary>
    public CollatedBatch Next(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var wake = cancellationToken.Register(WakeAll);
        lock (_gate)
        {
            while (true)
            {
                if (_ready.Remove(_nextIteration, out var batch))
                {
                    _nextIteration++;
                    Monitor.PulseAll(_gate);
                    return batch;
                }
                _failure?.Throw();
                cancellationToken.ThrowIfCancellationRequested();
                Monitor.Wait(_gate);
            }
        }
    }

    /// <summary>Stops the workers (each ends the sample it is on) and frees the batches built ahead.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stopping = true;
        WakeAll();
        foreach (var worker in _workers) worker.Join();
        foreach (var batch in _ready.Values) batch.Dispose();
        foreach (var pending in _pending.Values) pending.Dispose();
        _ready.Clear();
        _pending.Clear();
        _pending.Clear();
    }

    private void WakeAll()
    {
        lock (_gate) Monitor.PulseAll(_gate);
    }

    private void Work()
    {
        try
        {
            while (TakePosition() is var (position, iteration, batch))
            {
                MakeSample(position, batch, (int)(position % BatchSize));
                if (batch.Complete())
                    Publish(iteration, batch);
            }
        }
        catch (OperationCanceledException) when (_stopping)
        {
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _failure ??= ExceptionDispatchInfo.Capture(e);
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>The next stream position to build, once its batch is within the prefetch window; null to stop.</summary>
    private (long Position, long Iteration, PendingBatch Batch)? TakePosition()
    {
        lock (_gate)
        {
            while (!_stopping && _failure is null && _nextPosition / BatchSize >= _nextIteration + Options.PrefetchBatches)
                Monitor.Wait(_gate);
            if (_stopping || _failure is not null) return null;
            var position = _nextPosition++;
            var iteration = position / BatchSize;
            if (!_pending.TryGetValue(iteration, out var batch))
                _pending[iteration] = batch = new PendingBatch(BatchSize, Options.Augmentation);
            return (position, iteration, batch);
        }
    }

    private void Publish(long iteration, PendingBatch batch)
    {
        var collated = Collate(iteration, batch);
        lock (_gate)
        {
            _pending.Remove(iteration);
            _ready[iteration] = collated;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>collate_data_and_cast: the stacked crops, and masks from batch <paramref name="iteration"/>'s own generator.</summary>
    private CollatedBatch Collate(long iteration, PendingBatch batch)
    {
        var random = new Random(DerivedSeeds.DeriveInt(Options.Seed, iteration, DerivedSeeds.Masks));
        var generator = MaskingGenerator.ForGlobalCrops(Options.Augmentation.GlobalCropsSize, Options.PatchSize, random);
        var collator = new BatchCollator(generator, random, Options.MaskRatioMin, Options.MaskRatioMax, Options.MaskSampleProbability);
        var (global, local) = batch.Tensors();
        return new CollatedBatch(global, local, collator.CollateMasks((int)global.shape[0]));
    }

    /// <summary>
    /// Sample <paramref name="position"/> into <paramref name="slot"/>: its image, or the next readable one of the epoch's
    /// order, through <see cref="DataAugmentationDino"/>'s draws and rendering.
    /// </summary>
    private void MakeSample(long position, PendingBatch batch, int slot)
    {
        var epoch = position / _order.Count;
        var permutation = _order.Permutation(epoch);
        var offset = (int)(position % _order.Count);
        for (var attempt = 0; attempt < _order.Count; attempt++)
        {
            if (_stopping) throw new OperationCanceledException();
            var index = permutation[(offset + attempt) % _order.Count];
            if (!_unreadable.ContainsKey(index) && TryDecode(index) is { } image)
            {
                Interlocked.Increment(ref _decoded);
                if (attempt > 0) Interlocked.Increment(ref _replaced);
                var random = new SeededAugmentationRandom(DerivedSeeds.DeriveInt(Options.Seed, position, DerivedSeeds.Augmentation));
                var draws = _augmentation.Draw(image.Width, image.Height, random);
                for (var crop = 0; crop < draws.Count; crop++)
                    batch.Write(slot, crop, CropRenderer.Render(image, draws[crop]));
                return;
            }
        }
        var counts = Counts;
        throw new DatasetException(DatasetException.Unreadable,
            $"dataset '{_data.Root}': none of its {_order.Count} image files decodes (e.g. {string.Join("; ", counts.UnreadableExamples.Take(3))})");
    }

    private RgbImage? TryDecode(int index)
    {
        try
        {
            return _decoder.Decode(File.ReadAllBytes(_data.PathOf(_data.Images[index])));
        }
        catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
        {
            _unreadable.TryAdd(index, e is ImageDecodeException decode ? decode.Describe() : e.Message);
            return null;
        }
    }

    /// <summary>
    /// One batch as its samples arrive, in any order: global crops [2·B, 3, S, S] and local crops [n·B, 3, s, s], float32
    /// tensors allocated up front, crop c of sample s at row c·B + s. Workers write disjoint rows of their memory directly
    /// (no managed buffer and copy: a copy of the batch measured more than the normalisation itself).
    /// </summary>
    private sealed class PendingBatch : IDisposable
    {
        private const int GlobalCrops = 2;

        private readonly int _size;
        private readonly Tensor _global;
        private readonly Tensor _local;
        private readonly int _globalRow;
        private readonly int _localRow;
        private int _missing;
        private bool _handedOut;

        public PendingBatch(int size, DinoAugmentationOptions augmentation)
        {
            _size = size;
            _missing = size;
            var (g, l) = (augmentation.GlobalCropsSize, augmentation.LocalCropsSize);
            _globalRow = 3 * g * g;
            _localRow = 3 * l * l;
            _global = empty([GlobalCrops * size, 3, g, g], float32);
            _local = empty([augmentation.LocalCropsNumber * size, 3, l, l], float32);
        }

        /// <summary>Crop <paramref name="crop"/> (0, 1 global, then the locals) of the sample in <paramref name="slot"/>, normalised.</summary>
        public void Write(int slot, int crop, RgbImage rendered)
        {
            var (tensor, row, rowLength) = crop < GlobalCrops
                ? (_global, crop * _size + slot, _globalRow)
                : (_local, (crop - GlobalCrops) * _size + slot, _localRow);
            // Tensor.bytes is a span over the tensor's own (contiguous, CPU) storage.
            var values = MemoryMarshal.Cast<byte, float>(tensor.bytes);
            ImageNetNormalization.WriteChw(rendered, values.Slice(row * rowLength, rowLength));
        }

        /// <summary>Counts a finished sample; true for the one that completes the batch (its writes are then visible).</summary>
        public bool Complete() => Interlocked.Decrement(ref _missing) == 0;

        /// <summary>The finished tensors, which the caller then owns.</summary>
        public (Tensor Global, Tensor Local) Tensors()
        {
            _handedOut = true;
            return (_global, _local);
        }

        public void Dispose()
        {
            if (_handedOut) return;
            _global.Dispose();
            _local.Dispose();
        }
    }
}
