using EmbeddingService.Engine.Scheduling;
using static EmbeddingService.Engine.Tests.Scheduling.ScriptedEmbedder;

namespace EmbeddingService.Engine.Tests.Scheduling;

public sealed class SchedulerMemoryTests
{
    [Fact]
    public async Task FreedMemoryIsReleasedAfterABatchOverTheThresholdOnly()
    {
        var releases = 0;
        var released = new SemaphoreSlim(0);
        // 56×56 is 17 tokens, 70×70 is 26: by default only a lone image over the 20-token batch budget counts as large.
        await using var scheduler = new EmbeddingScheduler(new ScriptedEmbedder(), new SchedulerOptions { MaxBatchTokens = 20, MaxQueueDelay = TimeSpan.Zero },
            releaseFreedMemory: () =>
            {
                Interlocked.Increment(ref releases);
                released.Release();
            });
        scheduler.Start();
        await scheduler.SubmitAsync(Work(56));
        await scheduler.SubmitAsync(Work(70));
        Assert.True(await released.WaitAsync(TimeSpan.FromMinutes(1)));
        await scheduler.SubmitAsync(Work(56));
        await scheduler.StopAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(1, releases);
    }
}
