using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Problems;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

    private static async Task AssertNotReadyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ApiProblems.NotReady, problem.GetProperty("code").GetString());
    }
}
