using EmbeddingService.Training.Optimization;
using EmbeddingService.Training.Tests.Verification;

namespace EmbeddingService.Training.Tests.Optimization;

public sealed class SchedulesCaseVerifierTests
{
    [Fact]
    public void Writes_the_five_schedules_of_the_config_overrides()
    {
        using var run = new CaseRun(new SchedulesCaseVerifier(), "schedules");
        run.AllNpyWithin(1e-15);
    }
}
