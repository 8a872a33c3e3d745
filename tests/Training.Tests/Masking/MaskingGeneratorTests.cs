using EmbeddingService.Training.Masking;

namespace EmbeddingService.Training.Tests.Masking;

public sealed class MaskingGeneratorTests
{
    [Fact]
    public void Same_seed_gives_the_same_masks()
    {
        var first = new MaskingGenerator(16, 16, 128, new Random(7));
        var second = new MaskingGenerator(16, 16, 128, new Random(7));
        for (var target = 0; target < 128; target += 9)
            Assert.Equal(first.Generate(target), second.Generate(target));
    }

    [Theory]
    [InlineData(16, 16, 128)]
    [InlineData(4, 4, 8)]
    [InlineData(6, 9, 27)]
    public void Never_masks_more_than_the_target_and_nothing_for_zero(int height, int width, double maxNumPatches)
    {
        var generator = new MaskingGenerator(height, width, maxNumPatches, new Random(3));
        Assert.Equal(0, Count(generator.Generate(0)));
        var reached = 0;
        for (var draw = 0; draw < 2000; draw++)
        {
            var target = draw % (height * width / 2 + 1);
            var mask = generator.Generate(target);
            Assert.Equal([height, width], new[] { mask.GetLength(0), mask.GetLength(1) });
            var count = Count(mask);
            Assert.InRange(count, 0, target);
            if (count == target) reached++;
        }
        Assert.True(reached > 0, "no draw reached its target");
    }

    [Theory]
    [InlineData(224, 14, 16, 128.0)]
    [InlineData(56, 14, 4, 8.0)]
    [InlineData(84, 14, 6, 18.0)]
    [InlineData(518, 14, 37, 666.0)]
    public void Global_crop_generator_uses_the_official_max_num_patches_expression(int imgSize, int patchSize, int grid, double maxNumPatches)
    {
        var generator = MaskingGenerator.ForGlobalCrops(imgSize, patchSize, new Random(0));
        Assert.Equal((grid, grid, maxNumPatches, 4), (generator.Height, generator.Width, generator.MaxNumPatches, generator.MinNumPatches));
    }

    internal static int Count(bool[,] mask) => mask.Cast<bool>().Count(m => m);
}
