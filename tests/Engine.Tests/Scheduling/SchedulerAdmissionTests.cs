using EmbeddingService.Engine.Scheduling;
using static EmbeddingService.Engine.Tests.Scheduling.ScriptedEmbedder;

namespace EmbeddingService.Engine.Tests.Scheduling;

public sealed class SchedulerAdmissionTests
{
    private static SchedulerRejection Refusal(Action submit) => Assert.IsType<SchedulerRejectedException>(Record.Exception(submit)).Reason;

    [Fact]
    public async Task DefaultCapTakesTheNative518GridAndNothingLarger()
    {
        await using var scheduler = new EmbeddingScheduler(new ScriptedEmbedder(), new SchedulerOptions());
        var native = scheduler.SubmitAsync(Work(518));
        Assert.Equal(SchedulerRejection.ImageTooLarge, Refusal(() => scheduler.SubmitAsync(Work(532))));
        Assert.Equal(1, scheduler.QueueDepth);
        scheduler.Start();
        Assert.Equal(1370, (await native).BatchTokens);
    }

    [Fact]
    public async Task OneImageOverTheCapRefusesTheWholeRequest()
    {
        await using var scheduler = new EmbeddingScheduler(new ScriptedEmbedder(), new SchedulerOptions { MaxImageTokens = 17 });
        var error = Assert.IsType<SchedulerRejectedException>(Record.Exception(() => scheduler.SubmitRequest([Work(56), Work(70), Work(28)])));
        Assert.Equal(SchedulerRejection.ImageTooLarge, error.Reason);
        Assert.Contains("image 1", error.Message);
        Assert.Contains("26 tokens", error.Message);
        Assert.Equal(0, scheduler.QueueDepth);
    }

    [Fact]
    public async Task RequestOverItsTokenBudgetIsRefusedWithNothingQueued()
    {
        // 56×56 is 17 tokens: three fit a budget of 51, four do not.
        await using var scheduler = new EmbeddingScheduler(new ScriptedEmbedder(), new SchedulerOptions { MaxImageTokens = 17, MaxRequestTokens = 51 });
        var accepted = scheduler.SubmitRequest([Work(56), Work(56), Work(56)]);
        Assert.Equal(SchedulerRejection.RequestTooLarge, Refusal(() => scheduler.SubmitRequest([Work(56), Work(56), Work(56), Work(56)])));
        Assert.Equal(3, scheduler.QueueDepth);
        scheduler.Start();
        await Task.WhenAll(accepted);
    }

    [Fact]
    public async Task RequestLargerThanTheQueueIsTooLargeAndOneThatDoesNotFitNowIsOverloaded()
    {
        await using var scheduler = new EmbeddingScheduler(new ScriptedEmbedder(), new SchedulerOptions { QueueCapacity = 4 });
        Assert.Equal(SchedulerRejection.RequestTooLarge, Refusal(() => scheduler.SubmitRequest([.. Enumerable.Range(0, 5).Select(_ => Work(28))])));
        scheduler.SubmitRequest([Work(28), Work(28)]);
        Assert.Equal(SchedulerRejection.Overloaded, Refusal(() => scheduler.SubmitRequest([Work(28), Work(28), Work(28)])));
        Assert.Equal(2, scheduler.QueueDepth);
    }

    [Fact]
    public void PixelBudgetRefusesTheImageThatTakesTheRequestOverIt()
    {
        var budget = new RequestPixelBudget(100);
        budget.Charge(10, 5);
        budget.Charge(5, 10);
        var error = Assert.Throws<SchedulerRejectedException>(() => budget.Charge(1, 1));
        Assert.Equal(SchedulerRejection.RequestTooLarge, error.Reason);
        Assert.Contains("more than 100 decoded pixels", error.Message);
    }

    [Fact]
    public async Task PixelBudgetComesFromTheOptions()
    {
        await using var scheduler = new EmbeddingScheduler(new ScriptedEmbedder(), new SchedulerOptions { MaxRequestPixels = 1234 });
        Assert.Equal(1234, scheduler.NewPixelBudget().MaxPixels);
    }

    [Theory]
    [InlineData(0, 100, 1, null, "MaxImageTokens must be at least 1")]
    [InlineData(100, 99, 1, null, "MaxRequestTokens must be at least MaxImageTokens")]
    [InlineData(100, 100, 0, null, "MaxRequestPixels must be at least 1")]
    [InlineData(100, 100, 1, 0, "TrimAboveBatchTokens must be at least 1")]
    public void InvalidLimitsNameTheirKey(int imageTokens, int requestTokens, long requestPixels, int? trimAbove, string expected)
    {
        var options = new SchedulerOptions { MaxImageTokens = imageTokens, MaxRequestTokens = requestTokens, MaxRequestPixels = requestPixels, TrimAboveBatchTokens = trimAbove };
        Assert.Contains(expected, Assert.Throws<ArgumentException>(options.Validate).Message);
    }
}
