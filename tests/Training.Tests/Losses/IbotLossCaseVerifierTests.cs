using EmbeddingService.Training.Losses;
using EmbeddingService.Training.Tests.Verification;

namespace EmbeddingService.Training.Tests.Losses;

public sealed class IbotLossCaseVerifierTests
{
    [Fact]
    public void Writes_targets_centre_losses_and_gradients_of_both_variants()
    {
        using var run = new CaseRun(new IbotLossCaseVerifier(), "ibot_loss", "masks.npy", "mask_indices_list.npy", "masks_weight.npy",
            "n_masked_patches.npy", "student_masked_logits.npy", "teacher_masked_logits.npy", "center_init.npy");
        run.AllNpyWithin(1e-6);
        JsonAssert.Matches(run.Manifest.GetProperty("losses"), run.Result.GetProperty("losses"), 1e-5, "losses", "float64_reference");
    }
}
