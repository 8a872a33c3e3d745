using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Checkpoints;

public sealed class StateDictReadingTests
{
    public StateDictReadingTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData("tiny")]
    [InlineData("reg")]
    public void BothFixtureFormatsHoldTheManifestTensorsWithIdenticalValues(string model)
    {
        var fromPth = TorchZipReader.Read(Fixtures.Pth(model));
        var fromSafeTensors = SafeTensorsReader.Read(Fixtures.SafeTensors(model));
        try
        {
            TensorAssert.SameKeysAndShapes(Fixtures.ManifestShapes(model), fromPth);
            TensorAssert.Identical(fromPth, fromSafeTensors);
        }
        finally
        {
            TensorAssert.DisposeAll(fromPth);
            TensorAssert.DisposeAll(fromSafeTensors);
        }
    }

    [Fact]
    public void GenericReaderDetectsEachFormat()
    {
        var fromPth = StateDictReader.Read(Fixtures.Pth("reg"));
        var fromSafeTensors = StateDictReader.Read(Fixtures.SafeTensors("reg"));
        try
        {
            TensorAssert.Identical(fromPth, fromSafeTensors);
        }
        finally
        {
            TensorAssert.DisposeAll(fromPth);
            TensorAssert.DisposeAll(fromSafeTensors);
        }
    }

    [Fact]
    public void FormatIsDetectedFromContentNotExtension()
    {
        const string model = "tiny";
        using var folder = new TemporaryFolder();
        var zipNamedSafeTensors = Path.Combine(folder.Path, "weights.safetensors");
        var safeTensorsNamedPth = Path.Combine(folder.Path, "weights.pth");
        File.Copy(Fixtures.Pth(model), zipNamedSafeTensors);
        File.Copy(Fixtures.SafeTensors(model), safeTensorsNamedPth);

        Assert.Equal(CheckpointFormat.TorchZip, CheckpointFormatDetector.Detect(zipNamedSafeTensors));
        Assert.Equal(CheckpointFormat.SafeTensors, CheckpointFormatDetector.Detect(safeTensorsNamedPth));
    }

    [Fact]
    public void SafeTensorsRoundTripKeepsValuesAndReadsHalfPrecisionAsFloat32()
    {
        using var folder = new TemporaryFolder();
        var original = SafeTensorsReader.Read(Fixtures.SafeTensors("tiny"));
        var half = original.ToDictionary(pair => pair.Key, pair => pair.Value.to_type(ScalarType.BFloat16));
        var f16 = original.ToDictionary(pair => pair.Key, pair => pair.Value.to_type(ScalarType.Float16));
        try
        {
            var f32Path = Path.Combine(folder.Path, "f32.safetensors");
            var bf16Path = Path.Combine(folder.Path, "bf16.safetensors");
            var f16Path = Path.Combine(folder.Path, "f16.safetensors");
            SafeTensorsWriter.Write(f32Path, original, new Dictionary<string, string> { ["format"] = "pt" });
            SafeTensorsWriter.Write(bf16Path, half);
            SafeTensorsWriter.Write(f16Path, f16);

            AssertReadsBackAs(original, f32Path);
            AssertReadsBackAs(half.ToDictionary(pair => pair.Key, pair => pair.Value.to_type(ScalarType.Float32)), bf16Path);
            AssertReadsBackAs(f16.ToDictionary(pair => pair.Key, pair => pair.Value.to_type(ScalarType.Float32)), f16Path);
        }
        finally
        {
            TensorAssert.DisposeAll(original);
            TensorAssert.DisposeAll(half);
            TensorAssert.DisposeAll(f16);
        }
    }

    private static void AssertReadsBackAs(Dictionary<string, Tensor> expected, string path)
    {
        var actual = SafeTensorsReader.Read(path);
        try
        {
            TensorAssert.Identical(expected, actual);
        }
        finally
        {
            TensorAssert.DisposeAll(actual);
        }
    }
}
