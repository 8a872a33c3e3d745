using EmbeddingService.Training.Optimization;
using EmbeddingService.Training.Tests.Verification;

namespace EmbeddingService.Training.Tests.Optimization;

public sealed class ParamGroupsCaseVerifierTests
{
    [Fact]
    public void Writes_every_variant_with_the_official_groups()
    {
        using var run = new CaseRun(new ParamGroupsCaseVerifier(), "param_groups");
        // Only lr_multiplier is not an exact value; 1e-12 relative leaves the others exact.
        JsonAssert.Matches(run.ExpectedJson("param_groups.json"), run.ActualJson("param_groups.json"), 1e-12, "param_groups");
    }
}
