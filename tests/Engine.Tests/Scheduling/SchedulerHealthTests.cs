using EmbeddingService.Engine.Scheduling;
using static EmbeddingService.Engine.Tests.Scheduling.ScriptedEmbedder;

namespace EmbeddingService.Engine.Tests.Scheduling;

public sealed class SchedulerHealthTests
{
    [Fact]
    public async Task ForwardRunningPastTheLimitMakesTheSchedulerUnhealthyUntilItEnds()
    {
        var model = new ScriptedEmbedder();
        await using var scheduler = new EmbeddingScheduler(model, new SchedulerOptions());
        Assert.True(scheduler.IsHealthy(TimeSpan.Zero));
        model.Hold();
        var answer = scheduler.SubmitAsync(Work(28));
        scheduler.Start();
        await model.WaitForForwardAsync();

        Assert.NotNull(scheduler.CurrentBatchAge);
        Assert.False(scheduler.IsHealthy(TimeSpan.Zero));
        Assert.True(scheduler.IsHealthy(TimeSpan.FromHours(1)));

        model.Release();
        await answer;
        Assert.Null(scheduler.CurrentBatchAge);
        Assert.True(scheduler.IsHealthy(TimeSpan.Zero));
    }

    [Fact]
    public async Task FailedExecutorIsUnhealthyAndRefusesNewWork()
    {
        var failing = new InvalidOperationException("trim failed");
        await using var scheduler = new EmbeddingScheduler(new ScriptedEmbedder(), new SchedulerOptions { TrimAboveBatchTokens = 1 }, releaseFreedMemory: () => throw failing);
        var answer = scheduler.SubmitAsync(Work(28));
        scheduler.Start();
        await answer;

        Assert.True(SpinWait.SpinUntil(() => !scheduler.IsHealthy(TimeSpan.FromHours(1)), TimeSpan.FromMinutes(1)));
        var refused = Assert.IsType<SchedulerRejectedException>(Record.Exception(() => { _ = scheduler.SubmitAsync(Work(28)); }));
        Assert.Equal(SchedulerRejection.ShuttingDown, refused.Reason);
        Assert.Contains("trim failed", refused.Message);
    }
}
