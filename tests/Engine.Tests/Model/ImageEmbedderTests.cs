using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

public sealed class ImageEmbedderTests
{
    public ImageEmbedderTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData(Pooling.Cls, true)]
    [InlineData(Pooling.Mean, false)]
    [InlineData(Pooling.ClsMean, true)]
    public void EmbeddingsEqualPoolingTheOfficialOutputsOfEachImageAlone(Pooling pooling, bool normalize)
    {
        using var model = FixtureModels.Load("reg");
        var images = new[] { TestImages.Random(224, 224, 1), TestImages.Random(126, 252, 2), TestImages.Random(98, 70, 3) };
        var embeddings = new ImageEmbedder(model).Embed(images, new EmbedOptions { Pooling = pooling, Normalize = normalize, IncludePatchFeatures = true });

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (var i = 0; i < images.Length; i++)
        {
            using var alone = model.Network.ForwardFeatures(tensor(images[i].Chw, [1, 3, images[i].Height, images[i].Width]));
            var mean = alone.Patches[0].mean([0]);
            var expected = pooling switch
            {
                Pooling.Cls => alone.Cls[0],
                Pooling.Mean => mean,
                _ => cat([alone.Cls[0], mean], 0),
            };
            if (normalize) expected = expected.div(expected.norm());
            Assert.Equal(pooling.Width(96), embeddings[i].Vector.Length);
            TensorAssert.Close(expected, tensor(embeddings[i].Vector), 1e-5, $"embedding {i}");
            TensorAssert.Close(alone.Patches[0], tensor(embeddings[i].PatchFeatures!, [alone.GridHeight * alone.GridWidth, 96]), 1e-4, $"patches {i}");
            Assert.Equal((images[i].Height / 14, images[i].Width / 14), (embeddings[i].GridHeight, embeddings[i].GridWidth));
            Assert.Equal(1 + 4 + alone.GridHeight * alone.GridWidth, embeddings[i].Tokens);
        }
    }
}
