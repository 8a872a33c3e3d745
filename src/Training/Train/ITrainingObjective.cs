using EmbeddingService.Training.Masking;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>What one iteration of the training loop drives: pretraining (<see cref="SslMetaArch"/>) or distillation.</summary>
public interface ITrainingObjective
{
    /// <summary>The trained model; its submodules are the units of gradient clipping.</summary>
    SslModel Student { get; }

    /// <summary>Computes the losses of the batch and back-propagates them into the student's gradients.</summary>
    /// <param name="timer">records the teacher, student_forward_losses and backward phases when given</param>
    SslLosses ForwardBackward(CollatedBatch batch, double teacherTemp, PhaseTimer? timer = null);

    /// <summary>The step's exponential moving average: the teacher (pretraining) or the student's EMA (distillation).</summary>
    void UpdateEma(double momentum);

    /// <summary>
    /// The losses' running buffers under their official names (dino_loss.center, ibot_patch_loss.center), with any
    /// deferred centre update applied first — the same arithmetic the next step would do, so a checkpoint can save
    /// them and a resumed run restore them in place (copy_) and continue bit-identically.
    /// </summary>
    IReadOnlyDictionary<string, Tensor> LossBuffers();
}
