using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Train;
using EmbeddingService.Training.Verification;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Train;

/// <summary>The objective's compute choices on the train_step case: packing, stochastic depth, a low-precision teacher.</summary>
public sealed class SslMetaArchTests
{
    public SslMetaArchTests() => TorchRuntime.EnsureInitialized();

    private static TrainStepCase Case() =>
        new(new CaseFolder(TrainFixtures.Folder("dinov2-train-parity", "train_step"), TrainFixtures.Manifest("dinov2-train-parity", "train_step"), ""));

    [Fact]
    public void One_packed_student_forward_equals_a_forward_per_crop_size_in_losses_and_gradients()
    {
        using var scope = NewDisposeScope();
        var (packedLosses, packedGrads) = LossesAndGrads(new SslComputeOptions());
        var (separateLosses, separateGrads) = LossesAndGrads(new SslComputeOptions { PackStudentCrops = false });
        foreach (var (term, value) in separateLosses.LossDict)
            Tolerance.Relative(value, packedLosses.LossDict[term], 1e-5, term);
        Assert.Equal(separateGrads.Keys.Order(), packedGrads.Keys.Order());
        foreach (var (name, grad) in separateGrads)
            Tolerance.Within(grad, packedGrads[name], 1e-5, $"grad {name}");
    }

    [Fact]
    public void A_bfloat16_teacher_gives_nearly_the_fp32_losses_and_follows_the_ema()
    {
        using var scope = NewDisposeScope();
        var (fp32, _) = LossesAndGrads(new SslComputeOptions());
        var (bf16, _) = LossesAndGrads(new SslComputeOptions { TeacherDtype = ScalarType.BFloat16 });
        foreach (var (term, value) in fp32.LossDict)
            Tolerance.Relative(value, bf16.LossDict[term], 0.02, $"bf16 teacher {term}");

        using var inputs = Case();
        using var compute = new TeacherCompute(inputs.Teacher, ScalarType.BFloat16);
        using (no_grad())
            foreach (var parameter in inputs.Teacher.parameters()) parameter.add_(0.25);
        compute.Refresh();
        var master = inputs.Teacher.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in compute.Model.named_parameters())
        {
            Assert.Equal(ScalarType.BFloat16, parameter.dtype);
            Assert.True(parameter.eq(master[name].to(ScalarType.BFloat16)).all().item<bool>(), $"{name} was not refreshed");
        }
    }

    [Fact]
    public void Subset_stochastic_depth_in_the_student_is_reproducible_for_a_seed_and_changes_the_step()
    {
        using var scope = NewDisposeScope();
        var plain = LossesAndGrads(new SslComputeOptions()).Losses.TotalBackpropagated;
        var first = LossesAndGrads(new SslComputeOptions(), depthSeed: 5).Losses.TotalBackpropagated;
        var again = LossesAndGrads(new SslComputeOptions(), depthSeed: 5).Losses.TotalBackpropagated;
        Assert.Equal(first, again);
        Assert.NotEqual(plain, first);
    }

    private static (SslLosses Losses, Dictionary<string, Tensor> Grads) LossesAndGrads(SslComputeOptions compute, ulong? depthSeed = null)
    {
        using var inputs = Case();
        if (depthSeed is { } seed)
            inputs.Student.Backbone.ConfigureStochasticDepth(new StochasticDepth(0.4), new RandomStochasticDepthSampler(new Generator(seed)));
        using var arch = new SslMetaArch(inputs.Student, inputs.Teacher, inputs.Options, compute);
        var losses = arch.ForwardBackward(inputs.Batch, inputs.Schedule.TeacherTemp);
        var grads = inputs.Student.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone().MoveToOuterDisposeScope());
        return (losses, grads);
    }
}
