using EmbeddingService.Engine.IO;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests;

public sealed class NpyTensorTests
{
    [Theory]
    [InlineData("dinov2-train-parity/ibot_loss/masks.npy", ScalarType.Bool)]
    [InlineData("dinov2-train-parity/ibot_loss/mask_indices_list.npy", ScalarType.Int64)]
    [InlineData("dinov2-train-parity/schedules/lr.npy", ScalarType.Float64)]
    [InlineData("dinov2-augment-parity/inputs/chelsea.npy", ScalarType.Byte)]
    [InlineData("dinov2-knn-parity/basic/topk_neighbor_indices.npy", ScalarType.Int32)]
    public void Fixture_arrays_round_trip_bit_for_bit(string file, ScalarType type)
    {
        var path = Path.Combine(TrainFixtures.Root, file);
        using var tensor = NpyTensor.Read(path);
        Assert.Equal(type, tensor.dtype);
        var copy = Path.GetTempFileName();
        try
        {
            NpyTensor.Write(copy, tensor);
            Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(copy));
        }
        finally { File.Delete(copy); }
    }
}
