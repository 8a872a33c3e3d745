using EmbeddingService.Training.Tests.Runs;

namespace EmbeddingService.Trainer.Tests;

/// <summary>Job specs from Training.Tests' <see cref="TinyRuns"/> (steps of milliseconds on synthetic data), as the JSON a submission carries.</summary>
internal static class TinySpecs
{
    /// <param name="steps">At least 2 (the tiny spec warms the learning rate up over 2 steps).</param>
    public static string Pretrain(int steps, int checkpointEvery = 5) =>
        TinyRuns.Pretrain(steps).With("checkpoints.every_steps", checkpointEvery).ToJsonString();

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "trainer-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
