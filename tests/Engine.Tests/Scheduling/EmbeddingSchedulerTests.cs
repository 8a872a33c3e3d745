using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Engine.Scheduling;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Scheduling;

public sealed class EmbeddingSchedulerTests : IDisposable
{
    private static readonly EmbedOptions Cls = new();
    private readonly LoadedModel _model;
    private readonly ImageEmbedder _embedder;

    public EmbeddingSchedulerTests()
    {
        TorchRuntime.EnsureInitialized();
        _model = FixtureModels.Load("tiny");
        _embedder = new ImageEmbedder(_model);
    }

    public void Dispose() => _model.Dispose();

    private static EmbeddingWork Work(int height, int width, int seed, TimeSpan? timeout = null, EmbedOptions? options = null) =>
        new(TestImages.Random(height, width, seed), options ?? Cls, DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromMinutes(1)));

    /// <summary>What SubmitAsync throws before returning a task (refusals are immediate, not a faulted task).</summary>
    private static Exception? SubmitSynchronously(EmbeddingScheduler scheduler, EmbeddingWork work) =>
        Record.Exception(() => { _ = scheduler.SubmitAsync(work); });

    [Fact]
    public async Task BatchedResultsEqualEmbeddingEachImageAlone()
    {
        await using var scheduler = new EmbeddingScheduler(_embedder, new SchedulerOptions { MaxQueueDelay = TimeSpan.FromMilliseconds(50) });
        var sizes = new[] { (56, 56), (42, 70), (28, 28) };
        var options = new[] { Cls, new EmbedOptions { Pooling = Pooling.ClsMean }, new EmbedOptions { Pooling = Pooling.Mean, Normalize = false } };
        var works = Enumerable.Range(0, 12).Select(i => Work(sizes[i % 3].Item1, sizes[i % 3].Item2, i, options: options[i % 3])).ToArray();
        var answers = works.Select(w => scheduler.SubmitAsync(w)).ToArray();
        scheduler.Start();
        var results = await Task.WhenAll(answers);

        Assert.Contains(results, r => r.BatchImages > 1);
        Assert.Equal(12, scheduler.ComputedImages);
        for (var i = 0; i < works.Length; i++)
        {
            var alone = _embedder.Embed([works[i].Image], works[i].Options)[0];
            Assert.Equal(alone.Vector.Length, results[i].Embedding.Vector.Length);
            Assert.True(alone.Vector.Zip(results[i].Embedding.Vector, (a, b) => Math.Abs(a - b)).Max() <= 1e-5, $"image {i}");
        }
    }

    [Fact]
    public async Task BatchesCloseOnImageCount()
    {
        await using var scheduler = new EmbeddingScheduler(_embedder, new SchedulerOptions { MaxBatchImages = 4, MaxQueueDelay = TimeSpan.FromSeconds(5) });
        var answers = Enumerable.Range(0, 10).Select(i => scheduler.SubmitAsync(Work(28, 28, i))).ToArray();
        scheduler.Start();
        var results = await Task.WhenAll(answers);
        Assert.Equal(4, results[0].BatchImages);
        Assert.All(results, r => Assert.InRange(r.BatchImages, 1, 4));
    }

    [Fact]
    public async Task BatchesCloseOnTokenBudget()
    {
        var tokens = _embedder.TokenCount(56, 56);
        await using var scheduler = new EmbeddingScheduler(_embedder, new SchedulerOptions { MaxBatchTokens = 2 * tokens + 1, MaxQueueDelay = TimeSpan.FromSeconds(5) });
        var answers = Enumerable.Range(0, 6).Select(i => scheduler.SubmitAsync(Work(56, 56, i))).ToArray();
        scheduler.Start();
        var results = await Task.WhenAll(answers);
        Assert.All(results, r => Assert.Equal(2, r.BatchImages));
        Assert.All(results, r => Assert.Equal(2 * tokens, r.BatchTokens));
    }

    [Fact]
    public async Task FullQueueRefusesAtOnce()
    {
        await using var scheduler = new EmbeddingScheduler(_embedder, new SchedulerOptions { QueueCapacity = 3 });
        var accepted = Enumerable.Range(0, 3).Select(i => scheduler.SubmitAsync(Work(28, 28, i))).ToArray();
        var refused = Assert.IsType<SchedulerRejectedException>(SubmitSynchronously(scheduler, Work(28, 28, 9)));
        Assert.Equal(SchedulerRejection.Overloaded, refused.Reason);
        scheduler.Start();
        await Task.WhenAll(accepted);
        Assert.Equal(3, scheduler.ComputedImages);
    }

    [Fact]
    public async Task ExpiredImagesAreDroppedBeforeCompute()
    {
        await using var scheduler = new EmbeddingScheduler(_embedder, new SchedulerOptions());
        var expiring = scheduler.SubmitAsync(Work(28, 28, 1, timeout: TimeSpan.FromMilliseconds(30)));
        var error = await Assert.ThrowsAsync<SchedulerRejectedException>(() => expiring);
        Assert.Equal(SchedulerRejection.DeadlineExceeded, error.Reason);

        var later = scheduler.SubmitAsync(Work(28, 28, 2));
        scheduler.Start();
        await later;
        Assert.Equal(1, scheduler.ComputedImages);
        Assert.Equal(1, scheduler.DroppedImages);
    }

    [Fact]
    public async Task CancelledCallersAreDroppedBeforeCompute()
    {
        await using var scheduler = new EmbeddingScheduler(_embedder, new SchedulerOptions());
        using var caller = new CancellationTokenSource();
        var abandoned = scheduler.SubmitAsync(Work(28, 28, 1), caller.Token);
        caller.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        var kept = scheduler.SubmitAsync(Work(28, 28, 2));
        scheduler.Start();
        await kept;
        Assert.Equal(1, scheduler.ComputedImages);
        Assert.Equal(1, scheduler.DroppedImages);
    }

    [Fact]
    public async Task StopFinishesQueuedWorkThenRefusesNewWork()
    {
        var scheduler = new EmbeddingScheduler(_embedder, new SchedulerOptions { MaxBatchImages = 2 });
        var answers = Enumerable.Range(0, 5).Select(i => scheduler.SubmitAsync(Work(42, 42, i))).ToArray();
        scheduler.Start();
        await scheduler.StopAsync(TimeSpan.FromSeconds(30));
        Assert.All(answers, a => Assert.True(a.IsCompletedSuccessfully));
        var refused = Assert.IsType<SchedulerRejectedException>(SubmitSynchronously(scheduler, Work(42, 42, 9)));
        Assert.Equal(SchedulerRejection.ShuttingDown, refused.Reason);
        await scheduler.DisposeAsync();
    }

    [Fact]
    public async Task StopWithoutTimeToDrainFailsWhatIsQueued()
    {
        var scheduler = new EmbeddingScheduler(_embedder, new SchedulerOptions());
        var answers = Enumerable.Range(0, 2).Select(i => scheduler.SubmitAsync(Work(28, 28, i))).ToArray();
        await scheduler.StopAsync(TimeSpan.Zero);
        foreach (var answer in answers)
            Assert.Equal(SchedulerRejection.ShuttingDown, (await Assert.ThrowsAsync<SchedulerRejectedException>(() => answer)).Reason);
        Assert.Equal(0, scheduler.ComputedImages);
        await scheduler.DisposeAsync();
    }
}
