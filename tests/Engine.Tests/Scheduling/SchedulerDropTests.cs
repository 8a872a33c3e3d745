using EmbeddingService.Engine.Scheduling;
using static EmbeddingService.Engine.Tests.Scheduling.ScriptedEmbedder;

namespace EmbeddingService.Engine.Tests.Scheduling;

public sealed class SchedulerDropTests
{
    [Fact]
    public async Task WorkCancelledOrExpiredWhileTheModelIsBusyNeverReachesIt()
    {
        var model = new ScriptedEmbedder();
        await using var scheduler = new EmbeddingScheduler(model, new SchedulerOptions { MaxQueueDelay = TimeSpan.Zero });
        model.Hold();
        var running = scheduler.SubmitAsync(Work(28));
        scheduler.Start();
        await model.WaitForForwardAsync();

        using var caller = new CancellationTokenSource();
        var gone = new[] { Work(28), Work(28), Work(28) };
        var goneAnswers = scheduler.SubmitRequest(gone, caller.Token);
        var expiring = Work(28, timeout: TimeSpan.FromMilliseconds(20));
        var expiringAnswer = scheduler.SubmitAsync(expiring);
        var wanted = Work(28);
        var wantedAnswer = scheduler.SubmitAsync(wanted);
        await caller.CancelAsync();
        foreach (var answer in goneAnswers) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answer);
        Assert.Equal(SchedulerRejection.DeadlineExceeded, (await Assert.ThrowsAsync<SchedulerRejectedException>(() => expiringAnswer)).Reason);

        model.Release();
        await running;
        await wantedAnswer;
        Assert.Equal(2, model.Forwards.Count);
        Assert.Equal([wanted.Image], model.Forwards.Last());
        Assert.Equal(4, scheduler.DroppedImages);
        Assert.Equal(2, scheduler.ComputedImages);
    }
}
