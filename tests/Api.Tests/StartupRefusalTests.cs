using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using EmbeddingService.Api.Collections;
using EmbeddingService.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Tests;

/// <summary>
/// What only starting can show (a data directory another instance holds, a port another process listens on) refuses
/// the start like a bad setting: exit code 1 and one line naming the setting, no stack trace.
/// </summary>
public sealed class StartupRefusalTests
{
    [Fact]
    public async Task ASecondInstanceOnTheSameDataDirectoryIsRefusedTheFirstKeepsWritingAndTheLockIsFreedAtStop()
    {
        var data = TestService.NewDataDirectory();
        var setting = $"--Retrieval:DataDirectory={data}";
        try
        {
            await using (var first = await TestService.StartAsync([setting]))
            {
                await using (var second = TestService.Build([setting]))
                {
                    var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => second.StartAsync());
                    Assert.Contains("Retrieval:DataDirectory", refused.Message);
                    Assert.Contains($"'{data}' is in use by another API instance", refused.Message);
                }

                var created = await first.RestClient.PutAsJsonAsync("/v1/collections/shelf", new { index = "exact" });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                var dim = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model").GetProperty("dim").GetInt32();
                var vector = new float[dim];
                vector[0] = 1;
                Assert.Equal(HttpStatusCode.OK, (await first.RestClient.PostAsJsonAsync("/v1/collections/shelf/points", new { points = new[] { new { id = "p1", vector } } })).StatusCode);
            }

            await using var next = await TestService.StartAsync([setting]);
            Assert.Equal(HttpStatusCode.OK, (await next.RestClient.GetAsync("/v1/collections/shelf/points/p1")).StatusCode);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public Task TheQdrantStoreTakesNoLockOnTheDataDirectory() => WhileAnotherProcessHoldsADataDirectoryAsync(async data =>
    {
        await using var app = TestService.Build([$"--Retrieval:DataDirectory={data}", "--Retrieval:Store=qdrant", "--Retrieval:Qdrant:Url=http://127.0.0.1:1"]);
        await app.Services.GetRequiredService<VectorStoreHost>().StartingAsync(CancellationToken.None);
    });

    [Fact]
    public Task AProcessOnADataDirectoryInUseExitsWithCodeOneAndOneLineNamingIt() => WhileAnotherProcessHoldsADataDirectoryAsync(async data =>
    {
        var (exitCode, output) = await ServiceProcess.RunUntilExitAsync([.. EmbedTestData.TinyModel, $"--Retrieval:DataDirectory={data}"]);
        AssertOneLineRefusal(exitCode, output, "Retrieval:DataDirectory", $"'{data}' is in use by another API instance");
    });

    [Theory]
    [InlineData("Serving:RestPort")]
    [InlineData("Serving:GrpcPort")]
    public async Task APortInUseExitsWithCodeOneAndOneLineNamingTheSettingAndThePort(string setting)
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var data = TestService.NewDataDirectory();
        try
        {
            var (exitCode, output) = await ServiceProcess.RunUntilExitAsync([.. EmbedTestData.TinyModel, $"--Retrieval:DataDirectory={data}", $"--{setting}={port}"]);
            AssertOneLineRefusal(exitCode, output, setting, $"port {port} is already in use");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Runs <paramref name="test"/> on a new data directory whose store.lock this test process holds, as another instance would.</summary>
    private static async Task WhileAnotherProcessHoldsADataDirectoryAsync(Func<string, Task> test)
    {
        var data = TestService.NewDataDirectory();
        try
        {
            using var held = DataDirectoryLock.Acquire(data, VectorStoreHost.LockFile, "test", "test");
            await test(data);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static void AssertOneLineRefusal(int exitCode, string output, string setting, string problem)
    {
        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.Contains(setting));
        Assert.StartsWith("Invalid configuration", line);
        Assert.Contains(problem, line);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }
}
