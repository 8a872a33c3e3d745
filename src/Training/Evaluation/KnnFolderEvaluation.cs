using System.Collections.Concurrent;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Data;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Evaluation;

/// <summary>
/// The official k-NN evaluation (dinov2/eval/knn.py) of class-labelled image folders: every image through the serving
/// preprocessing, the backbone's normalised cls token (x_norm_clstoken, what ModelWithNormalize L2-normalises) as its
/// feature, then <see cref="KnnEvaluation"/> of the val set against the train set. Val classes are matched to train
/// classes by folder name. Also the raw-pixel baseline: decoded RGB bytes, flattened.
/// <para>An image that does not decode is left out of the evaluation and listed in its <see cref="FolderFeatures"/>;
/// a set with nothing readable is <c>dataset_unreadable</c>.</para>
/// </summary>
public static class KnnFolderEvaluation
{
    public static KnnEvaluationResult Evaluate(DinoVisionTransformer backbone, ImageFolderDataset train, ImageFolderDataset val,
        KnnFolderSettings settings, CancellationToken ct = default)
    {
        Check(train, val, settings);
        using var trainFeatures = ClsFeatures(backbone, train, settings, ct);
        using var valFeatures = ClsFeatures(backbone, val, settings, ct);
        return Classify(trainFeatures, train, valFeatures, val, settings);
    }

    /// <summary>The raw-pixel baseline; every image of both sets must have one size.</summary>
    public static KnnEvaluationResult EvaluatePixels(ImageFolderDataset train, ImageFolderDataset val, KnnFolderSettings settings,
        CancellationToken ct = default)
    {
        Check(train, val, settings);
        using var trainFeatures = PixelFeatures(train, settings, ct);
        using var valFeatures = PixelFeatures(val, settings, ct, trainFeatures.PixelSize);
        return Classify(trainFeatures, train, valFeatures, val, settings);
    }

    /// <summary>
    /// Throws before any feature is computed when the sets cannot be evaluated: a set without labels, a val class the
    /// train set lacks, a k above the number of train images, bad settings.
    /// </summary>
    public static void Check(ImageFolderDataset train, ImageFolderDataset val, KnnFolderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _ = ValLabelMap(train, val);
        if (settings.Ks.Max() > train.Images.Count)
            throw new ArgumentException($"k = {settings.Ks.Max()} exceeds the {train.Images.Count} images of the train set '{train.Root}'");
    }

    /// <summary>x_norm_clstoken [rows, D] (float32, on the backbone's device) of the readable images, batched; eval mode, no grad.</summary>
    public static FolderFeatures ClsFeatures(DinoVisionTransformer backbone, ImageFolderDataset data, KnnFolderSettings settings,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        var parameter = backbone.parameters().First();
        var wasTraining = backbone.training;
        backbone.eval();
        try
        {
            return ClsFeatures(backbone, parameter.device, parameter.dtype, data, settings, ct);
        }
        finally
        {
            if (wasTraining) backbone.train();
        }
    }

    /// <summary>
    /// x_norm_clstoken [rows, D] (float32, on <paramref name="device"/>) of the readable images through any packed forward
    /// — the serving backend of a loaded model, ONNX Runtime included — whose inputs are <paramref name="dtype"/> on
    /// <paramref name="device"/>; batched, no grad.
    /// </summary>
    public static FolderFeatures ClsFeatures(IPackedForward forward, Device device, ScalarType dtype, ImageFolderDataset data,
        KnnFolderSettings settings, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(forward);
        var preprocessor = new ImagePreprocessor(settings.Policy, new ImageDecoder(settings.Limits));
        return Collect(data, settings, ct, bytes => preprocessor.Process(bytes), images =>
        {
            using var noGrad = no_grad();
            var inputs = images.Select(i => tensor(i.Chw, [3, i.Height, i.Width]).to(dtype, device)).ToArray();
            using var features = forward.ForwardPacked(inputs);
            return stack(Enumerable.Range(0, images.Count).Select(features.Cls).ToArray()).to(float32);
        });
    }

    /// <summary>The decoded RGB bytes of each readable image as float32 [rows, H·W·3] on the CPU.</summary>
    /// <param name="size">The size every image must have (default: the first readable one's).</param>
    public static FolderFeatures PixelFeatures(ImageFolderDataset data, KnnFolderSettings settings, CancellationToken ct = default,
        (int Width, int Height)? size = null)
    {
        var decoder = new ImageDecoder(settings.Limits);
        var expected = size;
        var features = Collect(data, settings, ct, bytes => decoder.Decode(bytes), images =>
        {
            expected ??= (images[0].Width, images[0].Height);
            if (images.FirstOrDefault(i => (i.Width, i.Height) != expected) is { } odd)
                throw new DatasetException(DatasetException.Inconsistent,
                    $"pixel features need images of one size: '{data.Root}' has a {odd.Width}x{odd.Height} image among {expected.Value.Width}x{expected.Value.Height} ones");
            return stack(images.Select(i => tensor(i.Pixels, [i.Pixels.Length])).ToArray()).to(float32);
        });
        return new FolderFeatures(features.Features, features.Rows, features.Unreadable, expected);
    }

    /// <summary><see cref="KnnEvaluation"/> of the val features against the train features, labels from the class folders.</summary>
    public static KnnEvaluationResult Classify(FolderFeatures trainFeatures, ImageFolderDataset train, FolderFeatures valFeatures,
        ImageFolderDataset val, KnnFolderSettings settings)
    {
        var valToTrain = ValLabelMap(train, val);
        if (settings.Ks.Max() > trainFeatures.Rows.Count)
            throw new ArgumentException($"k = {settings.Ks.Max()} exceeds the {trainFeatures.Rows.Count} readable images of the train set '{train.Root}'");
        using var trainLabels = tensor(trainFeatures.Rows.Select(r => (long)train.Images[r].Label).ToArray());
        using var valLabels = tensor(valFeatures.Rows.Select(r => (long)valToTrain[val.Images[r].Label]).ToArray());
        return new KnnEvaluation(settings.Ks, settings.Temperature).Evaluate(trainFeatures.Features, trainLabels, valFeatures.Features, valLabels);
    }

    /// <summary>Train label of each val label, by class name.</summary>
    private static int[] ValLabelMap(ImageFolderDataset train, ImageFolderDataset val)
    {
        train.RequireLabels("the train set");
        val.RequireLabels("the val set");
        var trainLabels = train.ClassNames.Select((name, label) => (name, label)).ToDictionary(c => c.name, c => c.label, StringComparer.Ordinal);
        var missing = val.ClassNames.Where(name => !trainLabels.ContainsKey(name)).ToArray();
        if (missing.Length > 0)
            throw new DatasetException(DatasetException.Inconsistent,
                $"the val set '{val.Root}' has class folder(s) {string.Join(", ", missing)} that the train set '{train.Root}' lacks");
        return val.ClassNames.Select(name => trainLabels[name]).ToArray();
    }

    /// <summary>
    /// Decodes batch after batch on <see cref="KnnFolderSettings.Workers"/> threads and turns each batch's readable images
    /// into feature rows; the rows are gathered on the features' device.
    /// </summary>
    private static FolderFeatures Collect<TImage>(ImageFolderDataset data, KnnFolderSettings settings, CancellationToken ct,
        Func<byte[], TImage> decode, Func<IReadOnlyList<TImage>, Tensor> featuresOf) where TImage : class
    {
        var rows = new List<int>(data.Images.Count);
        var unreadable = new ConcurrentBag<(int Index, string Reason)>();
        var parts = new List<Tensor>();
        try
        {
            for (var start = 0; start < data.Images.Count; start += settings.BatchSize)
            {
                ct.ThrowIfCancellationRequested();
                var count = Math.Min(settings.BatchSize, data.Images.Count - start);
                var decoded = new TImage?[count];
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = settings.Workers, CancellationToken = ct }, i =>
                {
                    try
                    {
                        decoded[i] = decode(File.ReadAllBytes(data.PathOf(data.Images[start + i])));
                    }
                    catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
                    {
                        unreadable.Add((start + i, e is ImageDecodeException d ? d.Describe() : e.Message));
                    }
                });
                var readable = Enumerable.Range(0, count).Where(i => decoded[i] is not null).ToArray();
                if (readable.Length == 0) continue;
                using var scope = NewDisposeScope();
                parts.Add(featuresOf(readable.Select(i => decoded[i]!).ToArray()).MoveToOuterDisposeScope());
                rows.AddRange(readable.Select(i => start + i));
            }
            var skipped = unreadable.OrderBy(u => u.Index).Select(u => $"{data.Images[u.Index].RelativePath} ({u.Reason})").ToArray();
            if (rows.Count == 0)
                throw new DatasetException(DatasetException.Unreadable,
                    $"dataset '{data.Root}': none of its {data.Images.Count} image files decodes (e.g. {string.Join("; ", skipped.Take(3))})");
            return new FolderFeatures(cat(parts, 0), rows, skipped);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }
}
