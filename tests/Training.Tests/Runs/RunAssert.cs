using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Training.Runs;

namespace EmbeddingService.Training.Tests.Runs;

internal static class RunAssert
{
    /// <summary>Every tensor of the two runs' newest checkpoints (models, optimiser moments, centres) bit for bit, and their headers.</summary>
    public static void SameFinalState(string expectedRun, string actualRun)
    {
        var (expected, actual) = (RunCheckpoint.Latest(expectedRun)!, RunCheckpoint.Latest(actualRun)!);
        Assert.Equal(expected.Iteration, actual.Iteration);
        Assert.Equal(SafeTensorsReader.ReadMetadata(expected.Path)["optimizer_steps"], SafeTensorsReader.ReadMetadata(actual.Path)["optimizer_steps"]);
        var (a, b) = (SafeTensorsReader.Read(expected.Path), SafeTensorsReader.Read(actual.Path));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a)
            Assert.True(tensor.shape.SequenceEqual(b[name].shape) && tensor.eq(b[name]).all().item<bool>(), $"{name} differs after resuming");
    }
}
