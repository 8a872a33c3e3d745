using EmbeddingService.Training.Verification;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// Case <c>train_step</c>: one whole pretraining iteration from the case's weights, crops, masks and schedule state;
/// writes the gradients before clipping, the student after AdamW, the teacher after the EMA, and the loss dict.
/// </summary>
public sealed class TrainStepCaseVerifier : ICaseVerifier
{
    public string Kind => "train_step";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        using var scope = NewDisposeScope();
        using var inputs = new TrainStepCase(folder);
        using var arch = new SslMetaArch(inputs.Student, inputs.Teacher, inputs.Options);
        using var optimizer = inputs.NewOptimizer();
        Dictionary<string, Tensor>? grads = null;
        var result = new TrainingStep(arch, optimizer, inputs.ClipGrad)
            .Run(inputs.Batch, inputs.Schedule, () => grads = StepCaseParts.Gradients(inputs.Student));
        output.WriteSafeTensors("grads.safetensors", grads!);
        output.WriteSafeTensors("student_after_step.safetensors", StepCaseParts.Parameters(inputs.Student));
        output.WriteSafeTensors("teacher_after_ema.safetensors", StepCaseParts.Parameters(inputs.Teacher));
        output.WriteJson("result.json", StepCaseParts.Scalars(result));
    }
}
