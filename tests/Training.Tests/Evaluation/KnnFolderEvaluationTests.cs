using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Data;
using EmbeddingService.Training.Evaluation;
using EmbeddingService.Training.Tests.Data;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Evaluation;

public sealed class KnnFolderEvaluationTests
{
    private static readonly KnnFolderSettings Settings = new()
    {
        Ks = [1, 3],
        Policy = ResizePolicies.Create(ResizePolicy.CenterCrop, 28, 32),
        BatchSize = 3,
        Workers = 2,
    };

    [Fact]
    public void Pixel_knn_matches_val_classes_to_train_classes_by_folder_name()
    {
        using var folder = new ImageFolder();
        // Train classes a, b, c; val has only b and c, so val label 0 (b) is train label 1.
        for (var i = 0; i < 4; i++)
        {
            Stripes(folder, $"train/a/{i}.png", horizontal: true, phase: i, period: 4);
            Stripes(folder, $"train/b/{i}.png", horizontal: false, phase: i, period: 4);
            Stripes(folder, $"train/c/{i}.png", horizontal: true, phase: i, period: 7);
        }
        for (var i = 0; i < 3; i++)
        {
            Stripes(folder, $"val/b/{i}.png", horizontal: false, phase: i + 1, period: 4);
            Stripes(folder, $"val/c/{i}.png", horizontal: true, phase: i + 2, period: 7);
        }
        var train = ImageFolderDataset.Scan(Path.Combine(folder.Root, "train"));
        var val = ImageFolderDataset.Scan(Path.Combine(folder.Root, "val"));

        using var result = KnnFolderEvaluation.EvaluatePixels(train, val, Settings);

        var k1 = result.Results.Single(r => r.K == 1);
        Assert.Equal([1L, 1, 1, 2, 2, 2], k1.Pred.data<long>().ToArray());
        Assert.Equal(1.0, k1.Top1);
        Assert.Null(k1.Top5); // three classes
    }

    [Fact]
    public void Pixel_features_are_the_decoded_rgb_bytes_and_knn_is_the_official_evaluation_of_them()
    {
        using var folder = new ImageFolder();
        for (var i = 0; i < 5; i++)
        {
            folder.Pattern($"train/x/{i}.png", i, 12, 10);
            folder.Pattern($"train/y/{i}.png", 20 + i, 12, 10);
        }
        folder.Pattern("val/x/0.png", 2, 12, 10);
        folder.Pattern("val/y/0.png", 3, 12, 10);
        folder.Pattern("val/y/1.png", 23, 12, 10);
        var train = ImageFolderDataset.Scan(Path.Combine(folder.Root, "train"));
        var val = ImageFolderDataset.Scan(Path.Combine(folder.Root, "val"));

        using var trainFeatures = KnnFolderEvaluation.PixelFeatures(train, Settings);
        using var valFeatures = KnnFolderEvaluation.PixelFeatures(val, Settings);
        using var result = KnnFolderEvaluation.Classify(trainFeatures, train, valFeatures, val, Settings);

        using var expectedTrain = Decoded(train);
        using var expectedVal = Decoded(val);
        Assert.True(trainFeatures.Features.equal(expectedTrain).all().item<bool>());
        Assert.Equal((12, 10), trainFeatures.PixelSize);
        using var trainLabels = tensor(train.Images.Select(i => (long)i.Label).ToArray());
        using var valLabels = tensor(new long[] { 0, 1, 1 });
        using var expected = new KnnEvaluation([1, 3]).Evaluate(expectedTrain, trainLabels, expectedVal, valLabels);
        foreach (var k in new[] { 1, 3 })
        {
            var (mine, reference) = (result.Results.Single(r => r.K == k), expected.Results.Single(r => r.K == k));
            Assert.Equal(reference.Top1, mine.Top1);
            Assert.Equal(reference.Pred.data<long>().ToArray(), mine.Pred.data<long>().ToArray());
        }
    }

    [Fact]
    public void Cls_features_are_the_normalised_cls_token_of_the_serving_preprocessing_in_eval_mode()
    {
        using var folder = new ImageFolder();
        for (var i = 0; i < 4; i++) folder.Pattern($"{(char)('a' + i % 2)}/{i}.png", i, 30 + 4 * i, 26);
        var data = ImageFolderDataset.Scan(folder.Root);
        using var backbone = new DinoVisionTransformer(new VitConfig { EmbedDim = 32, Depth = 2, NumHeads = 2, ImgSize = 56 });
        RandomInitializer.Initialize(backbone, seed: 3);
        backbone.train();

        using var features = KnnFolderEvaluation.ClsFeatures(backbone, data, Settings);

        Assert.True(backbone.training);
        Assert.Equal([4L, 32], features.Features.shape);
        var preprocessor = new ImagePreprocessor(Settings.Policy);
        backbone.eval();
        for (var i = 0; i < 4; i++)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var image = preprocessor.Process(File.ReadAllBytes(data.PathOf(data.Images[i])));
            using var alone = backbone.ForwardFeatures(tensor(image.Chw, [1, 3, image.Height, image.Width]));
            Assert.True(features.Features[i].allclose(alone.Cls[0], rtol: 0, atol: 1e-5), $"image {i}");
        }
    }

    [Fact]
    public void Unreadable_images_are_left_out_and_listed()
    {
        using var folder = new ImageFolder();
        for (var i = 0; i < 3; i++) folder.Pattern($"a/{i}.png", i);
        folder.Corrupt("a/broken.png");

        using var features = KnnFolderEvaluation.PixelFeatures(ImageFolderDataset.Scan(folder.Root), Settings);

        Assert.Equal([0, 1, 2], features.Rows);
        Assert.Equal(3, features.Features.shape[0]);
        Assert.StartsWith("a/broken.png (", Assert.Single(features.Unreadable));
    }

    [Fact]
    public void Sets_that_cannot_be_evaluated_fail_before_any_feature()
    {
        using var folder = new ImageFolder();
        folder.Pattern("train/a/0.png", 0);
        folder.Pattern("train/a/1.png", 1);
        folder.Pattern("flat/0.png", 2);
        folder.Pattern("other/z/0.png", 3);
        folder.Pattern("sizes/a/0.png", 4, 20, 20);
        folder.Pattern("sizes/a/1.png", 5, 21, 20);
        var train = ImageFolderDataset.Scan(Path.Combine(folder.Root, "train"));

        Assert.Equal("dataset_unlabelled", Assert.Throws<DatasetException>(() =>
            KnnFolderEvaluation.Check(train, ImageFolderDataset.Scan(Path.Combine(folder.Root, "flat")), Settings)).Reason);
        var missing = Assert.Throws<DatasetException>(() =>
            KnnFolderEvaluation.Check(train, ImageFolderDataset.Scan(Path.Combine(folder.Root, "other")), Settings));
        Assert.Equal("dataset_inconsistent", missing.Reason);
        Assert.Contains("class folder(s) z", missing.Message);
        Assert.Contains("k = 3 exceeds the 2 images", Assert.Throws<ArgumentException>(() => KnnFolderEvaluation.Check(train, train, Settings)).Message);
        var sizes = ImageFolderDataset.Scan(Path.Combine(folder.Root, "sizes"));
        var odd = Assert.Throws<DatasetException>(() => KnnFolderEvaluation.PixelFeatures(sizes, Settings));
        Assert.Equal("dataset_inconsistent", odd.Reason);
        Assert.Contains("21x20", odd.Message);
    }

    /// <summary>A 16×16 grayscale image of stripes of the given period, shifted by the phase.</summary>
    private static void Stripes(ImageFolder folder, string path, bool horizontal, int phase, int period)
    {
        var pixels = new byte[16 * 16];
        for (var y = 0; y < 16; y++)
            for (var x = 0; x < 16; x++)
                pixels[y * 16 + x] = ((horizontal ? y : x) + phase) % period < period / 2 ? (byte)230 : (byte)20;
        folder.Write(path, GrayscalePng.Encode(16, 16, pixels));
    }

    private static Tensor Decoded(ImageFolderDataset data)
    {
        var decoder = new ImageDecoder();
        var rows = data.Images.Select(i => decoder.Decode(File.ReadAllBytes(data.PathOf(i))).Pixels.Select(b => (float)b).ToArray()).ToArray();
        return tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);
    }
}
