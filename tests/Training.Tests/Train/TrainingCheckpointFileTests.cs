using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Checkpoints;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Train;

/// <summary>The official training layout, both ways: {"teacher": state dict} .pth and flat .safetensors.</summary>
public sealed class TrainingCheckpointFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("checkpoint-").FullName;

    public TrainingCheckpointFileTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void The_fixture_pth_and_safetensors_hold_the_same_student()
    {
        var pth = TrainingCheckpointFile.Read(Path.Combine(TrainFixtures.Folder("dinov2-train-parity", "train_step"), "weights_init.pth"));
        var safetensors = TrainingCheckpointFile.Read(Path.Combine(TrainFixtures.Folder("dinov2-train-parity", "train_step"), "weights_init.safetensors"));
        AssertIdentical(safetensors, pth);
        Assert.Contains("dino_head.last_layer.weight_g", pth.Keys);
        Assert.Contains("ibot_head.last_layer.weight_v", pth.Keys);
    }

    [Theory]
    [InlineData("teacher_checkpoint.pth")]
    [InlineData("teacher_checkpoint.safetensors")]
    public void Written_checkpoints_read_back_bit_for_bit(string name)
    {
        var weights = TrainingCheckpointFile.Read(Path.Combine(TrainFixtures.Folder("dinov2-train-parity", "distill_step"), "teacher_weights.safetensors"));
        var path = Path.Combine(_folder, name);
        TrainingCheckpointFile.Write(path, weights);
        AssertIdentical(weights, TrainingCheckpointFile.Read(path));
    }

    [Fact]
    public void A_pth_is_written_under_the_teacher_key_as_the_official_teacher_checkpoint()
    {
        var path = Path.Combine(_folder, "teacher_checkpoint.pth");
        TrainingCheckpointFile.Write(path, new Dictionary<string, Tensor> { ["backbone.cls_token"] = ones(1, 1, 4) });
        using var stream = File.OpenRead(path);
        var unpickled = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(stream);
        var teacher = Assert.IsType<System.Collections.Hashtable>(unpickled[TrainingCheckpointFile.TeacherKey]);
        Assert.Equal(new long[] { 1, 1, 4 }, ((Tensor)teacher["backbone.cls_token"]!).shape);
    }

    private static void AssertIdentical(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.eq(actual[name]).all().item<bool>(), $"{name} differs");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
