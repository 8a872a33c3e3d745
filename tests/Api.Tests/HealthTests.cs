using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Problems;
using EmbeddingService.Retrieval;
using EmbeddingService.Retrieval.Embedded;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Serilog.Core;
using Serilog.Events;
using RetrievalClient = EmbeddingService.Protos.V1.Retrieval.RetrievalClient;

namespace EmbeddingService.Api.Tests;

/// <summary>Liveness, readiness over HTTP and grpc.health.v1, reflection, and readiness while loading and draining.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task ReadyServiceAnswersHttpAndGrpcHealthUntilStoppingFlipsReadinessOff()
    {
        await using var service = await TestService.StartAsync([]);
        var health = new Health.HealthClient(service.GrpcChannel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "ready" })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "embedding.v1.Embedding" })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "embedding.v1.Retrieval" })).Status);

        service.App.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.GetAsync("/health/live")).StatusCode);
        await AssertNotReadyAsync(await service.RestClient.GetAsync("/health/ready"));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task ReflectionListsTheGrpcServices()
    {
        await using var service = await TestService.StartAsync([], waitUntilReady: false);
        using var call = new ServerReflection.ServerReflectionClient(service.GrpcChannel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("grpc.health.v1.Health", names);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", names);
    }

    [Fact]
    public async Task WhileTheModelLoadsTheServiceIsLiveButNotReadyAndAFailedLoadStopsIt()
    {
        // A FIFO makes the load wait, deterministically, until the test opens (and closes) the writing end.
        var fifo = Path.Combine(Path.GetTempPath(), $"weights-{Guid.NewGuid():N}.pth");
        using (var mkfifo = Process.Start("mkfifo", fifo)) await mkfifo.WaitForExitAsync();
        try
        {
            await using var service = await TestService.StartAsync([$"--Model:Weights={fifo}", "--Model:Architecture="], waitUntilReady: false);
            Assert.Equal(HttpStatusCode.OK, (await service.RestClient.GetAsync("/health/live")).StatusCode);
            await AssertNotReadyAsync(await service.RestClient.GetAsync("/health/ready"));
            await AssertNotReadyAsync(await service.RestClient.GetAsync("/v1/info"));
            var health = new Health.HealthClient(service.GrpcChannel);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);

            var stopping = service.App.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            await using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            await Task.Delay(Timeout.Infinite, stopping).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(service.App.Services.GetRequiredService<EmbeddingRuntime>().LoadFailure);
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public async Task A_trainer_not_reachable_yet_at_start_is_information_not_a_warning()
    {
        var sink = new CollectingSink();
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, "--Training:Enabled=true", "--Training:Endpoint=http://127.0.0.1:9"],
            configure: builder => builder.Services.AddSingleton<ILogEventSink>(sink));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        LogEvent? report;
        while ((report = sink.Events.FirstOrDefault(e => e.MessageTemplate.Text.StartsWith("Cannot follow the trainer's active model", StringComparison.Ordinal))) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the unreachable trainer was not reported");
            await Task.Delay(20);
        }
        Assert.Equal(LogEventLevel.Information, report.Level);
    }

    [Fact]
    public async Task ANotReadyProbeWhileTheModelLoadsLogsNoErrorButAFailedLoadStillDoes()
    {
        var fifo = Path.Combine(Path.GetTempPath(), $"weights-{Guid.NewGuid():N}.pth");
        using (var mkfifo = Process.Start("mkfifo", fifo)) await mkfifo.WaitForExitAsync();
        try
        {
            var sink = new CollectingSink();
            await using var service = await TestService.StartAsync([$"--Model:Weights={fifo}", "--Model:Architecture=", "--Serilog:MinimumLevel:Default=Debug"],
                configure: builder => builder.Services.AddSingleton<ILogEventSink>(sink), waitUntilReady: false);
            for (var probe = 0; probe < 3; probe++) await AssertNotReadyAsync(await service.RestClient.GetAsync("/health/ready"));

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (sink.Events.Count(e => e.MessageTemplate.Text == LoggingSetup.RequestTemplate && e.Properties["StatusCode"].ToString() == "503") < 3)
            {
                Assert.True(DateTime.UtcNow < deadline, "no request line for the probes");
                await Task.Delay(20);
            }
            Assert.All(sink.Events.Where(e => e.MessageTemplate.Text == LoggingSetup.RequestTemplate), e => Assert.Equal(LogEventLevel.Debug, e.Level));
            Assert.DoesNotContain(sink.Events, e => e.Level >= LogEventLevel.Warning && e.MessageTemplate.Text.Contains("Health check", StringComparison.Ordinal));

            var stopping = service.App.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            await using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            await Task.Delay(Timeout.Infinite, stopping).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HealthStatus.Unhealthy, (await service.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
            Assert.Contains(sink.Events, e => e.Level == LogEventLevel.Error && e.MessageTemplate.Text.Contains("Health check", StringComparison.Ordinal)
                && e.Properties["HealthCheckName"].ToString() == $"\"{ModelReadyHealthCheck.Name}\"");
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public async Task ACollectionStillLoadingAnswersStoreUnavailableWithRetryAfterAndLeavesTheServiceReady()
    {
        var data = TestService.NewDataDirectory();
        try
        {
            var random = new Random(1);
            await using (var store = await EmbeddedVectorStore.OpenAsync(data, NullLogger.Instance))
            {
                await store.CreateCollectionAsync("big", new CollectionSettings(new CollectionModel("vits14", "sha256:abc", "cls", "center-crop", 224, 256), IndexKind.Hnsw));
                await store.UpsertAsync("big", Enumerable.Range(0, 20000).Select(i => new VectorPoint($"p{i}", Enumerable.Range(0, 256).Select(_ => random.NextSingle() - 0.5f).ToArray())).ToArray());
            }
            // Without its graph file the collection rebuilds the graph at start: seconds of loading.
            File.Delete(Path.Combine(data, "collections", "big", "hnsw.graph"));

            await using var service = await TestService.StartAsync([$"--Retrieval:DataDirectory={data}"], waitUntilReady: false);
            var host = service.App.Services.GetRequiredService<VectorStoreHost>();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (host.Store is null && DateTime.UtcNow < deadline) await Task.Delay(5);

            var response = await service.RestClient.GetAsync("/v1/collections/big");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(ApiProblems.StoreUnavailable, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
            var listed = (await service.RestClient.GetFromJsonAsync<JsonElement>("/v1/collections")).GetProperty("collections").EnumerateArray().Single();
            Assert.Equal("loading", listed.GetProperty("state").GetString());
            var grpc = await Assert.ThrowsAsync<RpcException>(async () => await new RetrievalClient(service.GrpcChannel).GetCollectionAsync(new Protos.V1.CollectionRef { Name = "big" }));
            Assert.Equal(StatusCode.Unavailable, grpc.StatusCode);
            Assert.StartsWith(ApiProblems.StoreUnavailable + ":", grpc.Status.Detail, StringComparison.Ordinal);
            var check = await new StoreReadyHealthCheck(host).CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Healthy, check.Status);
            Assert.Equal(["big"], (IReadOnlyList<string>)check.Data[StoreReadyHealthCheck.LoadingCollectionsKey]);

            while ((await service.RestClient.GetAsync("/v1/collections/big")).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(DateTime.UtcNow < deadline, "the collection did not finish loading");
                await Task.Delay(50);
            }
            await service.WaitUntilReadyAsync();
            var ready = await service.RestClient.GetFromJsonAsync<JsonElement>("/health/ready");
            Assert.Equal("ready", ready.GetProperty("status").GetString());
            Assert.Equal(0, ready.GetProperty(StoreReadyHealthCheck.LoadingCollectionsKey).GetArrayLength());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task AssertNotReadyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ApiProblems.NotReady, problem.GetProperty("code").GetString());
    }
}
