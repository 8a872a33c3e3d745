using System.Text.Json;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Train;
using EmbeddingService.Training.Verification;

namespace EmbeddingService.Training.Tests.Train;

/// <summary>One whole iteration of pretraining and of distillation against the official computations.</summary>
public sealed class StepCaseTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("step-case-").FullName;

    public StepCaseTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Train_step_equals_the_official_forward_backward_clip_adamw_and_ema()
    {
        const string Set = "dinov2-train-parity";
        var manifest = Run(new TrainStepCaseVerifier(), Set, "train_step");
        var result = ReadResult();
        StepCaseAssert.LossesMatch(manifest.GetProperty("loss_dict"), result.GetProperty("loss_dict"), "loss_dict");
        Tolerance.Relative(manifest.GetProperty("total_loss_backpropagated").GetDouble(), result.GetProperty("total_loss_backpropagated").GetDouble(), 1e-5, "total");
        StepCaseAssert.LossesMatch(manifest.GetProperty("grad_norms_before_clip"), result.GetProperty("grad_norms_before_clip"), "grad norm");
        var folder = TrainFixtures.Folder(Set, "train_step");
        StepCaseAssert.GradientsMatch(Path.Combine(folder, "grads.safetensors"), Path.Combine(_out, "grads.safetensors"));

        var state = manifest.GetProperty("schedule_state");
        var (lr, momentum) = (state.GetProperty("lr").GetDouble(), state.GetProperty("momentum").GetDouble());
        StepCaseAssert.ParametersMatch(Path.Combine(folder, "student_after_step.safetensors"), Path.Combine(_out, "student_after_step.safetensors"),
            2 * lr * MaxLrMultiplier(manifest), "student");
        StepCaseAssert.ParametersMatch(Path.Combine(folder, "teacher_after_ema.safetensors"), Path.Combine(_out, "teacher_after_ema.safetensors"),
            2 * (1 - momentum) * lr + 1e-6, "teacher");
    }

    [Fact]
    public void Distill_step_equals_the_recipe_composed_from_official_parts()
    {
        const string Set = "dinov2-train-parity";
        var manifest = Run(new DistillStepCaseVerifier(), Set, "distill_step");
        var result = ReadResult();
        var losses = manifest.GetProperty("losses");
        var dict = result.GetProperty("loss_dict");
        Tolerance.Relative(losses.GetProperty("dino_local_crops_loss").GetDouble(), dict.GetProperty("dino_local_crops_loss").GetDouble(), 1e-5, "dino local");
        Tolerance.Relative(losses.GetProperty("dino_global_crops_loss").GetDouble(), dict.GetProperty("dino_global_crops_loss").GetDouble(), 1e-5, "dino global");
        Tolerance.Relative(losses.GetProperty("koleo_loss_weighted").GetDouble(), 2 * dict.GetProperty("koleo_loss").GetDouble(), 1e-5, "koleo");
        Tolerance.Relative(losses.GetProperty("ibot_loss_scaled").GetDouble(), 2 * dict.GetProperty("ibot_loss").GetDouble(), 1e-5, "ibot");
        Tolerance.Relative(manifest.GetProperty("total").GetDouble(), result.GetProperty("total_loss_backpropagated").GetDouble(), 1e-5, "total");
        StepCaseAssert.LossesMatch(manifest.GetProperty("grad_norms_before_clip"), result.GetProperty("grad_norms_before_clip"), "grad norm");

        var folder = TrainFixtures.Folder(Set, "distill_step");
        foreach (var targets in new[] { "teacher_dino_targets.npy", "teacher_ibot_targets.npy" })
            Tolerance.Within(TrainFixtures.Npy(Set, $"distill_step/{targets}"), EmbeddingService.Engine.IO.NpyTensor.Read(Path.Combine(_out, targets)), 1e-6, targets);
        StepCaseAssert.GradientsMatch(Path.Combine(folder, "grads.safetensors"), Path.Combine(_out, "grads.safetensors"));
        var p = manifest.GetProperty("params");
        var (lr, momentum) = (p.GetProperty("lr").GetDouble(), p.GetProperty("momentum").GetDouble());
        StepCaseAssert.ParametersMatch(Path.Combine(folder, "student_after_step.safetensors"), Path.Combine(_out, "student_after_step.safetensors"),
            2 * lr * MaxLrMultiplier(manifest), "student");
        StepCaseAssert.ParametersMatch(Path.Combine(folder, "student_ema_after.safetensors"), Path.Combine(_out, "student_ema_after.safetensors"),
            2 * (1 - momentum) * lr + 1e-6, "student EMA");
    }

    private JsonElement Run(ICaseVerifier verifier, string set, string name)
    {
        var folder = TrainFixtures.Folder(set, name);
        var manifest = TrainFixtures.Manifest(set, name);
        verifier.Verify(new CaseFolder(folder, manifest, TrainFixtures.Folder("images", "good")), new CaseOutput(_out));
        return manifest;
    }

    private JsonElement ReadResult() => JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "result.json"))).RootElement;

    private static double MaxLrMultiplier(JsonElement manifest) =>
        manifest.GetProperty("optimizer_param_groups").EnumerateArray().Max(g => g.GetProperty("lr_multiplier").GetDouble());

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
