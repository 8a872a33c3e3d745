using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EmbeddingService.Api.Tests;

/// <summary>The service as an operator runs it: a separate process that is killed or told to stop.</summary>
public sealed class ProcessLifecycleTests
{
    private const int Dimension = 96;

    private static float[] VectorFor(string id)
    {
        var random = new Random(id.Aggregate(17, (hash, c) => unchecked(hash * 31 + c)));
        var vector = new float[Dimension];
        for (var i = 0; i < Dimension; i++) vector[i] = (float)(random.NextDouble() * 2 - 1);
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return vector.Select(v => v / norm).ToArray();
    }

    [Fact]
    public async Task EveryAcknowledgedPointSurvivesAKillDuringConcurrentUpsertsAndNoneIsDuplicated()
    {
        var data = TestService.NewDataDirectory();
        try
        {
            var acknowledged = new ConcurrentBag<string>();
            var attempted = new ConcurrentBag<string>();
            using (var service = await ServiceProcess.StartAsync([.. EmbedTestData.TinyModel, $"--Retrieval:DataDirectory={data}"]))
            {
                Assert.Equal(HttpStatusCode.Created, (await service.Client.PutAsJsonAsync("/v1/collections/crash", new { index = "exact" })).StatusCode);
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
                {
                    for (var batch = 0; !stop.IsCancellationRequested; batch++)
                    {
                        var ids = Enumerable.Range(0, 50).Select(i => $"w{w}-b{batch}-p{i}").ToArray();
                        foreach (var id in ids) attempted.Add(id);
                        try
                        {
                            var response = await service.Client.PostAsJsonAsync("/v1/collections/crash/points", new { points = ids.Select(id => new { id, vector = VectorFor(id), payload = new { writer = w } }) });
                            if (response.StatusCode != HttpStatusCode.OK) return;
                            foreach (var id in ids) acknowledged.Add(id);
                        }
                        catch (HttpRequestException)
                        {
                            return;
                        }
                    }
                })).ToArray();
                while (acknowledged.Count < 2000) await Task.Delay(20);
                service.Kill();
                await stop.CancelAsync();
                await Task.WhenAll(writers);
            }

            using var restarted = await ServiceProcess.StartAsync([.. EmbedTestData.TinyModel, $"--Retrieval:DataDirectory={data}"]);
            var count = (await JsonDocument.ParseAsync(await restarted.Client.GetStreamAsync("/v1/collections/crash"))).RootElement.GetProperty("count").GetInt64();
            Assert.InRange(count, acknowledged.Count, attempted.Distinct().Count());
            foreach (var id in acknowledged.Take(400))
            {
                var point = await restarted.Client.GetAsync($"/v1/collections/crash/points/{id}");
                Assert.Equal(HttpStatusCode.OK, point.StatusCode);
            }
            foreach (var id in acknowledged.Take(20))
            {
                var search = await restarted.Client.PostAsJsonAsync("/v1/collections/crash/search", new { vector = VectorFor(id), k = 10 });
                var hits = (await JsonDocument.ParseAsync(await search.Content.ReadAsStreamAsync())).RootElement.GetProperty("hits").EnumerateArray()
                    .Select(h => (Id: h.GetProperty("id").GetString()!, Score: h.GetProperty("score").GetDouble())).ToArray();
                Assert.Equal(id, hits[0].Id);
                Assert.Equal(1.0, hits[0].Score, 4);
                Assert.Equal(hits.Length, hits.Select(h => h.Id).Distinct().Count());
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("--Serving:MaxBatchImages=0", "Serving:MaxBatchImages")]
    [InlineData("--Retrieval:Store=redis", "Retrieval:Store")]
    [InlineData("--Serving:Policy=stretch", "Serving:Policy")]
    [InlineData("--Serving:RestPort=abc", "Serving:RestPort")]
    [InlineData("--Model:Weights=random:x", "random:SEED")]
    public async Task ABadSettingExitsWithCodeOneAndOneLineNamingItWithoutAStackTrace(string setting, string named)
    {
        var (exitCode, output) = await ServiceProcess.RunUntilExitAsync(setting);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.Contains(named));
        Assert.StartsWith("Invalid configuration", line);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    [Fact]
    public async Task SigtermFinishesTheRequestsInFlightAndExitsWithZero()
    {
        var data = TestService.NewDataDirectory();
        try
        {
            // Deadlines and drain far beyond four 518 px forwards even on a loaded 2-core machine: this test is about
            // SIGTERM finishing work in flight, and a 504 from the default 30 s deadline made it depend on timing.
            using var service = await ServiceProcess.StartAsync([.. EmbedTestData.SlowModel, "--Model:Weights=random:0", "--Model:Architecture=vits14",
                $"--Retrieval:DataDirectory={data}", "--Serving:DefaultDeadlineMs=600000", "--Serving:DrainTimeoutSeconds=600"]);
            var image = Convert.ToBase64String(EmbedTestData.Good("rocket.jpg"));
            var requests = Enumerable.Range(0, 4).Select(_ => service.Client.PostAsJsonAsync("/v1/embed", new { inputs = new[] { new { image } } })).ToArray();
            await Task.Delay(300);

            service.Terminate();

            var responses = await Task.WhenAll(requests);
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
