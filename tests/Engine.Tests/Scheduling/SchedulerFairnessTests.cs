using EmbeddingService.Engine.Scheduling;
using static EmbeddingService.Engine.Tests.Scheduling.ScriptedEmbedder;

namespace EmbeddingService.Engine.Tests.Scheduling;

public sealed class SchedulerFairnessTests
{
    [Fact]
    public async Task SmallRequestQueuedBehindABigOneRunsInTheNextBatch()
    {
        var model = new ScriptedEmbedder();
        await using var scheduler = new EmbeddingScheduler(model, new SchedulerOptions { MaxBatchImages = 4, MaxQueueDelay = TimeSpan.Zero });
        model.Hold();
        var big = Enumerable.Range(0, 20).Select(_ => Work(28)).ToArray();
        var bigAnswers = scheduler.SubmitRequest(big);
        scheduler.Start();
        await model.WaitForForwardAsync();

        var small = Work(28);
        var smallAnswer = scheduler.SubmitAsync(small);
        model.Release();
        await Task.WhenAll([.. bigAnswers, smallAnswer]);

        Assert.Equal(1, model.ForwardOf(small.Image));
        Assert.Equal(6, model.Forwards.Count);
        Assert.Equal(big.Select(w => w.Image), model.Forwards.SelectMany(f => f).Where(i => i != small.Image));
    }

    [Fact]
    public async Task RequestsTakeTurnsImageByImage()
    {
        var model = new ScriptedEmbedder();
        await using var scheduler = new EmbeddingScheduler(model, new SchedulerOptions { MaxBatchImages = 4, MaxQueueDelay = TimeSpan.Zero });
        var first = Enumerable.Range(0, 3).Select(_ => Work(28)).ToArray();
        var second = Enumerable.Range(0, 3).Select(_ => Work(28)).ToArray();
        var answers = scheduler.SubmitRequest(first).Concat(scheduler.SubmitRequest(second)).ToArray();
        scheduler.Start();
        await Task.WhenAll(answers);

        Assert.Equal([first[0].Image, second[0].Image, first[1].Image, second[1].Image], model.Forwards.First());
    }
}
