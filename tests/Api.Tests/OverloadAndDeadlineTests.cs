using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Protos.V1;
using Google.Protobuf;
using Grpc.Core;
using EmbeddingClient = EmbeddingService.Protos.V1.Embedding.EmbeddingClient;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddingService.Api.Tests;

/// <summary>Overload, deadlines, cancellation and shutdown, with a model slow enough to keep the executor busy.</summary>
public sealed class OverloadAndDeadlineTests
{
    private static ByteArrayContent Jpeg() => new(EmbedTestData.Good("rocket.jpg")) { Headers = { ContentType = new MediaTypeHeaderValue("image/jpeg") } };

    private static Engine.Scheduling.EmbeddingScheduler Scheduler(TestService service) =>
        service.App.Services.GetRequiredService<EmbeddingRuntime>().Current!.Scheduler;

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task FullQueueAnswers429AndResourceExhaustedAtOnceAndTheServiceStaysHealthy()
    {
        await using var service = await TestService.StartAsync([.. EmbedTestData.SlowModel, "--Serving:QueueCapacity=1"]);
        var requests = Enumerable.Range(0, 8).Select(_ => service.RestClient.PostAsync("/v1/embed", Jpeg())).ToArray();
        var responses = await Task.WhenAll(requests);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToArray();
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.NotNull(r.Headers.RetryAfter));
        Assert.Equal("overloaded", JsonDocument.Parse(await refused[0].Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);

        var client = new EmbeddingClient(service.GrpcChannel);
        EmbedRequest Request() => new() { Images = { new ImageInput { Image = ByteString.CopyFrom(EmbedTestData.Good("rocket.jpg")) } } };
        var calls = Enumerable.Range(0, 8).Select(async _ =>
        {
            try { await client.EmbedAsync(Request()); return StatusCode.OK; }
            catch (RpcException e) { return e.StatusCode; }
        }).ToArray();
        Assert.Contains(StatusCode.ResourceExhausted, await Task.WhenAll(calls));

        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.PostAsync("/v1/embed", Jpeg())).StatusCode);
    }

    [Fact]
    public async Task ExpiredAndAbandonedRequestsAreDroppedBeforeCompute()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.SlowModel);
        var scheduler = Scheduler(service);
        // Two slow images keep the executor busy (one computing, one queued) while the rest queues behind them.
        var busy = new[] { service.RestClient.PostAsync("/v1/embed", Jpeg()), service.RestClient.PostAsync("/v1/embed", Jpeg()) };
        await WaitUntil(() => scheduler.QueueDepth == 1);

        using var caller = new CancellationTokenSource();
        var abandoned = service.RestClient.PostAsync("/v1/embed", Jpeg(), caller.Token);
        await WaitUntil(() => scheduler.QueueDepth == 2 || busy[0].IsCompleted);
        Assert.False(busy[0].IsCompleted, "the slow model finished before the test could queue behind it");
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        using var expiring = new HttpRequestMessage(HttpMethod.Post, "/v1/embed") { Content = Jpeg() };
        expiring.Headers.Add(RequestDeadline.Header, "30");
        var expired = await service.RestClient.SendAsync(expiring);
        Assert.Equal(HttpStatusCode.GatewayTimeout, expired.StatusCode);
        Assert.Equal("deadline_exceeded", JsonDocument.Parse(await expired.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        var client = new EmbeddingClient(service.GrpcChannel);
        var grpcError = await Assert.ThrowsAsync<RpcException>(async () => await client.EmbedAsync(
            new EmbedRequest { Images = { new ImageInput { Image = ByteString.CopyFrom(EmbedTestData.Good("rocket.jpg")) } } },
            deadline: DateTime.UtcNow.AddMilliseconds(30)));
        Assert.Equal(StatusCode.DeadlineExceeded, grpcError.StatusCode);

        Assert.All(await Task.WhenAll(busy), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await WaitUntil(() => scheduler.QueueDepth == 0);
        Assert.Equal(2, scheduler.ComputedImages);
        Assert.True(scheduler.DroppedImages >= 1, "the abandoned image was not dropped");
    }

    [Fact]
    public async Task GracefulShutdownFinishesRequestsInFlight()
    {
        var service = await TestService.StartAsync([.. EmbedTestData.SlowModel, "--Serving:DrainTimeoutSeconds=60"]);
        var inFlight = Enumerable.Range(0, 3).Select(_ => service.RestClient.PostAsync("/v1/embed", Jpeg())).ToArray();
        await WaitUntil(() => Scheduler(service).QueueDepth >= 1);
        await service.App.StopAsync();
        var responses = await Task.WhenAll(inFlight);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await service.DisposeAsync();
    }

    [Fact]
    public async Task MetricsExposeQueueDepthBatchSizesTokensAndLatency()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.PostAsync("/v1/embed", Jpeg())).StatusCode);
        var text = await service.RestClient.GetStringAsync("/metrics");
        Assert.Contains("embedding_queue_depth", text);
        Assert.Contains("embedding_batch_images", text);
        Assert.Contains("embedding_batch_tokens", text);
        Assert.Contains("embedding_inference_time", text);
        Assert.Contains("http_server_request_duration_seconds", text);
    }
}
