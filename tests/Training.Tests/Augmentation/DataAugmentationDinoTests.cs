using EmbeddingService.Engine.Imaging;
using EmbeddingService.Training.Augmentation;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Augmentation;

public sealed class DataAugmentationDinoTests
{
    private static readonly RgbImage Chelsea = AugmentFixtures.Source("chelsea.png");

    [Fact]
    public void Makes_two_global_and_eight_local_normalised_crops()
    {
        using var crops = new DataAugmentationDino().Apply(Chelsea, new SeededAugmentationRandom(1));
        Assert.All(crops.GlobalCrops, c => Assert.Equal([3L, 224, 224], c.shape));
        Assert.Equal(8, crops.LocalCrops.Count);
        Assert.All(crops.LocalCrops, c => Assert.Equal([3L, 98, 98], c.shape));
        Assert.All(crops.GlobalCrops.Concat(crops.LocalCrops), c => Assert.Equal(ScalarType.Float32, c.dtype));
        Assert.Equal([CropKind.Global1, CropKind.Global2, .. Enumerable.Repeat(CropKind.Local, 8)], crops.Draws.Select(d => d.Kind));
    }

    [Fact]
    public void Crops_are_the_rendering_of_their_draws()
    {
        using var crops = new DataAugmentationDino().Apply(Chelsea, new SeededAugmentationRandom(3));
        using var again = NormalizedTensor.Of(CropRenderer.Render(Chelsea, crops.Draws[5]));
        Assert.True(Same(crops.LocalCrops[3], again));
    }

    [Fact]
    public void Same_seed_gives_identical_crops_and_another_seed_does_not()
    {
        var augmentation = new DataAugmentationDino();
        using var first = augmentation.Apply(Chelsea, new SeededAugmentationRandom(42));
        using var second = augmentation.Apply(Chelsea, new SeededAugmentationRandom(42));
        using var other = augmentation.Apply(Chelsea, new SeededAugmentationRandom(43));

        Assert.True(SameTensors(first, second));
        Assert.Equal(Describe(first), Describe(second));
        Assert.False(SameTensors(first, other));
        Assert.NotEqual(Describe(first), Describe(other));
    }

    [Fact]
    public void Parallel_calls_with_their_own_randoms_give_the_sequential_results()
    {
        var augmentation = new DataAugmentationDino();
        var seeds = Enumerable.Range(100, 6).ToArray();
        var sequential = seeds.Select(s => augmentation.Apply(Chelsea, new SeededAugmentationRandom(s))).ToArray();
        var parallel = new DinoCrops[seeds.Length];
        Parallel.For(0, seeds.Length, i => parallel[i] = augmentation.Apply(Chelsea, new SeededAugmentationRandom(seeds[i])));
        try
        {
            for (var i = 0; i < seeds.Length; i++)
                Assert.True(SameTensors(sequential[i], parallel[i]), $"seed {seeds[i]}");
        }
        finally
        {
            foreach (var crops in sequential.Concat(parallel))
                crops.Dispose();
        }
    }

    [Fact]
    public void Blur_probabilities_are_options_defaulting_to_what_the_official_code_applies()
    {
        var defaults = new DinoAugmentationOptions();
        Assert.Equal((0.0, 0.9, 0.5), (defaults.Global1BlurProbability, defaults.Global2BlurProbability, defaults.LocalBlurProbability));

        var intended = new DataAugmentationDino(defaults with { Global1BlurProbability = 1.0, Global2BlurProbability = 0.1 });
        var draws = intended.Draw(640, 427, new SeededAugmentationRandom(5));
        Assert.NotNull(draws[0].BlurSigma);
    }

    [Fact]
    public void Invalid_options_are_rejected_naming_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => new DataAugmentationDino(new DinoAugmentationOptions { LocalBlurProbability = 1.5 }));
        Assert.Contains(nameof(DinoAugmentationOptions.LocalBlurProbability), error.Message);
    }

    private static bool SameTensors(DinoCrops a, DinoCrops b) =>
        a.GlobalCrops.Concat(a.LocalCrops).Zip(b.GlobalCrops.Concat(b.LocalCrops)).All(p => Same(p.First, p.Second));

    private static bool Same(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }

    private static string Describe(DinoCrops crops) =>
        string.Join("\n", crops.Draws.Select(d => $"{d with { Jitter = null }} {d.Jitter?.ToString()} {string.Join(",", d.Jitter?.Order ?? [])}"));
}
