using EmbeddingService.Engine.Scheduling;
using static EmbeddingService.Engine.Tests.Scheduling.ScriptedEmbedder;

namespace EmbeddingService.Engine.Tests.Scheduling;

public sealed class SchedulerMemoryTests
{
    [Fact]
    public async Task FreedMemoryIsReleasedAfterABatchLargerThanOneMaximalImageOnceNothingWaits()
    {
        var releases = 0;
        var released = new SemaphoreSlim(0);
        var embedder = new ScriptedEmbedder();
        // 56×56 is 17 tokens: two of them (34) are over the 20-token image cap, well within the 100-token batch budget.
        await using var scheduler = new EmbeddingScheduler(embedder, new SchedulerOptions { MaxBatchTokens = 100, MaxImageTokens = 20, MaxRequestTokens = 100, MaxQueueDelay = TimeSpan.Zero },
            releaseFreedMemory: () =>
            {
                Interlocked.Increment(ref releases);
                released.Release();
            });
        scheduler.Start();

        embedder.Hold();
        var large = scheduler.SubmitRequest([Work(56), Work(56)]);
        await embedder.WaitForForwardAsync();
        var waiting = scheduler.SubmitAsync(Work(56));
        embedder.Release();
        await Task.WhenAll(large);
        await waiting;
        Assert.Equal(0, Volatile.Read(ref releases)); // work was waiting after the large batch; the small one is under the cap

        await Task.WhenAll(scheduler.SubmitRequest([Work(56), Work(56)]));
        Assert.True(await released.WaitAsync(TimeSpan.FromMinutes(1)));
        await scheduler.StopAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(1, releases);
    }
}
