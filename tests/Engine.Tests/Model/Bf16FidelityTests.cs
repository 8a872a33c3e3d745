using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Runtime;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

/// <summary>Opt-in bf16 on CPU: embeddings of the fixture images within cosine 0.999 of fp32's, or a clear refusal.</summary>
public sealed class Bf16FidelityTests(ITestOutputHelper output)
{
    private const double MinCosine = 0.999;
    private static readonly string[] Images = ["rocket.jpg", "astronaut.png", "chelsea.png", "camera.png"];

    [Fact]
    public void Bf16EmbeddingsStayWithinCosine0999OfFp32OnTheFixtureImages()
    {
        TorchRuntime.EnsureInitialized();
        using var weights = new StrongViTSmall();
        var fp32Request = new ModelLoadRequest { Weights = weights.Path, Device = "cpu" };
        var bf16Request = fp32Request with { Precision = "bf16" };
        if (!CpuFeatures.HasBf16)
        {
            var refusal = Assert.Throws<ArgumentException>(() => ModelLoader.Load(bf16Request));
            Assert.Contains("bfloat16", refusal.Message);
            return;
        }
        using var fp32 = ModelLoader.Load(fp32Request);
        using var bf16 = ModelLoader.Load(bf16Request);
        Assert.Equal(ScalarType.BFloat16, bf16.Target.DType);

        var preprocessor = new ImagePreprocessor(ResizePolicies.Create(ResizePolicy.CenterCrop));
        var images = Images.Select(name => preprocessor.Process(File.ReadAllBytes(Fixtures.GoodImage(name)))).ToArray();
        var options = new EmbedOptions { Pooling = Pooling.Cls, Normalize = true, IncludePatchFeatures = true };
        var expected = new ImageEmbedder(fp32).Embed(images, options);
        var actual = new ImageEmbedder(bf16).Embed(images, options);
        for (var i = 0; i < images.Length; i++)
        {
            var cosine = expected[i].Vector.Zip(actual[i].Vector, (a, b) => (double)a * b).Sum();
            var patchError = expected[i].PatchFeatures!.Zip(actual[i].PatchFeatures!, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"{Images[i]}: cls cosine {cosine:F6}, patch features max |diff| {patchError:F4}");
            Assert.True(cosine >= MinCosine, $"{Images[i]}: cosine {cosine:F6} < {MinCosine}");
        }
    }
}
