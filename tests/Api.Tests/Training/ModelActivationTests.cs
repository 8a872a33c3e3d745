using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddingService.Api.Problems;
using Xunit.Abstractions;

namespace EmbeddingService.Api.Tests.Training;

/// <summary>
/// Models end to end: a tiny job's exported model is listed, activated (this replica swaps to it), served by /v1/embed
/// and /v1/info, refused by collections of the old model, kept over Model:Weights by a restart, and rolled back.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class ModelActivationTests(TrainingApi api, ITestOutputHelper output) : IClassFixture<TrainingApi>
{
    private static readonly string Rocket = Convert.ToBase64String(EmbedTestData.Good("rocket.jpg"));
    private HttpClient Admin => api.Admin;

    [Fact]
    public async Task A_trained_model_is_activated_served_kept_over_a_restart_and_rolled_back()
    {
        var (id, state) = await TrainingApi.RunAsync(Admin, TrainingApi.Job(steps: 4, checkpointEvery: 2));
        Assert.Equal("succeeded", state);

        // Artifacts: listed with their sizes, and downloaded whole.
        var artifacts = (await TrainingApi.GetJsonAsync(Admin, $"/v1/admin/jobs/{id}/artifacts")).GetProperty("artifacts").EnumerateArray().ToList();
        var backbone = artifacts.Single(a => a.GetProperty("path").GetString() == "export/backbone.safetensors");
        Assert.Equal("model", backbone.GetProperty("kind").GetString());
        Assert.Contains(artifacts, a => a.GetProperty("kind").GetString() == "checkpoint");
        Assert.Contains(artifacts, a => a.GetProperty("path").GetString() == "summary.json");
        using (var download = await Admin.GetAsync($"/v1/admin/jobs/{id}/artifacts/export/backbone.safetensors", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(backbone.GetProperty("size_bytes").GetInt64(), download.Content.Headers.ContentLength);
            Assert.Equal(backbone.GetProperty("size_bytes").GetInt64(), (await download.Content.ReadAsByteArrayAsync()).LongLength);
        }
        await ProblemAssert.ExpectAsync(await Admin.GetAsync($"/v1/admin/jobs/{id}/artifacts/export/nothing.bin"), HttpStatusCode.NotFound, ApiProblems.ArtifactNotFound);
        await ProblemAssert.ExpectAsync(await Admin.GetAsync($"/v1/admin/jobs/{id}/artifacts/..%2F..%2Fjobs.db"), HttpStatusCode.NotFound, ApiProblems.ArtifactNotFound);
        Assert.NotEmpty((await TrainingApi.GetJsonAsync(Admin, $"/v1/admin/jobs/{id}/metrics")).GetProperty("records").EnumerateArray());
        Assert.NotEmpty((await TrainingApi.GetJsonAsync(Admin, $"/v1/admin/jobs/{id}/logs")).GetProperty("lines").EnumerateArray());

        var configured = await InfoFingerprintAsync(Admin);
        var models = await TrainingApi.GetJsonAsync(Admin, "/v1/admin/models");
        var model = models.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == id);
        var fingerprint = model.GetProperty("fingerprint").GetString()!;
        Assert.Equal((id, false, false), (model.GetProperty("source_job_id").GetString(), model.GetProperty("active").GetBoolean(), model.GetProperty("serving").GetBoolean()));
        var configuredModel = models.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "configured");
        Assert.Equal((configured, true, true), (configuredModel.GetProperty("fingerprint").GetString(), configuredModel.GetProperty("active").GetBoolean(), configuredModel.GetProperty("serving").GetBoolean()));

        // A collection of the configured model, before the switch.
        var client = Admin;
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("/v1/collections/before-switch", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/collections/before-switch/points", new { points = new object[] { new { id = "rocket", image = Rocket } } })).StatusCode);

        var activated = await TrainingApi.PostJsonAsync(Admin, $"/v1/admin/models/{id}/activate");
        Assert.Equal((id, fingerprint), (activated.GetProperty("serving").GetProperty("model_id").GetString(), activated.GetProperty("serving").GetProperty("fingerprint").GetString()));
        Assert.Equal(id, activated.GetProperty("active").GetProperty("model_id").GetString());
        Assert.Equal(fingerprint, await InfoFingerprintAsync(client));
        var embedded = await EmbedAsync(client);
        Assert.Equal(32, embedded.GetProperty("dim").GetInt32());
        var listed = (await TrainingApi.GetJsonAsync(Admin, $"/v1/admin/models/{id}"));
        Assert.Equal((true, true), (listed.GetProperty("active").GetBoolean(), listed.GetProperty("serving").GetBoolean()));

        // The old model's collection answers vectors and refuses the new model's images, naming the model it needs.
        var mismatch = await ProblemAssert.ExpectAsync(
            await client.PostAsJsonAsync("/v1/collections/before-switch/search", new { image = Rocket }), HttpStatusCode.Conflict, ApiProblems.ModelMismatch);
        Assert.Contains(configured, mismatch.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/collections/before-switch/search", new { id = "rocket", k = 1 })).StatusCode);

        // After a restart the activated model wins over Model:Weights, from the model cache, even with the worker out of reach.
        await using (var restarted = await TestService.StartAsync([.. api.Settings, $"--Training:Endpoint=http://127.0.0.1:{ServiceProcess.FreePort()}"]))
            Assert.Equal(fingerprint, await InfoFingerprintAsync(restarted.RestClient, TrainingApi.AdminKey));

        // Rollback: activating the configured model again.
        var rolledBack = await TrainingApi.PostJsonAsync(Admin, "/v1/admin/models/configured/activate");
        Assert.Equal(("configured", configured), (rolledBack.GetProperty("serving").GetProperty("model_id").GetString(), rolledBack.GetProperty("serving").GetProperty("fingerprint").GetString()));
        Assert.Equal(configured, await InfoFingerprintAsync(client));
        Assert.Equal(96, (await EmbedAsync(client)).GetProperty("dim").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/collections/before-switch/search", new { image = Rocket })).StatusCode);
        await using (var restarted = await TestService.StartAsync([.. api.Settings, $"--Training:Endpoint=http://127.0.0.1:{ServiceProcess.FreePort()}"]))
            Assert.Equal(configured, await InfoFingerprintAsync(restarted.RestClient, TrainingApi.AdminKey));

        await ProblemAssert.ExpectAsync(await Admin.PostAsync("/v1/admin/models/nope/activate", null), HttpStatusCode.NotFound, ApiProblems.ModelNotFound);
        await ProblemAssert.ExpectAsync(await Admin.GetAsync("/v1/admin/models/nope"), HttpStatusCode.NotFound, ApiProblems.ModelNotFound);
    }

    [Fact]
    public async Task A_hot_swap_under_concurrent_load_fails_no_request()
    {
        var (id, state) = await TrainingApi.RunAsync(Admin, TrainingApi.Job(steps: 2));
        Assert.Equal("succeeded", state);
        var client = TrainingApi.WithKey(api.Service.RestClient.BaseAddress!, TrainingApi.UserKey);
        var dims = new System.Collections.Concurrent.ConcurrentQueue<(long At, int Dim)>();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await client.PostAsJsonAsync("/v1/embed", new { inputs = new[] { new { image = Rocket } } });
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK) failures.Enqueue($"{(int)response.StatusCode} {body}");
                else dims.Enqueue((clock.ElapsedMilliseconds, JsonDocument.Parse(body).RootElement.GetProperty("dim").GetInt32()));
            }
        })).ToList();
        while (dims.Count < 8 && failures.IsEmpty) await Task.Delay(50);
        var activating = clock.ElapsedMilliseconds;
        var activated = await TrainingApi.PostJsonAsync(Admin, $"/v1/admin/models/{id}/activate");
        var answered = clock.ElapsedMilliseconds;
        var beforeRollback = dims.Count;
        while (dims.Count < beforeRollback + 8 && failures.IsEmpty) await Task.Delay(50);
        var rollingBack = clock.ElapsedMilliseconds;
        await TrainingApi.PostJsonAsync(Admin, "/v1/admin/models/configured/activate");
        var afterRollback = dims.Count;
        while (dims.Count < afterRollback + 8 && failures.IsEmpty) await Task.Delay(50);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        var served = dims.ToList();
        var firstNew = served.First(d => d.Dim == 32).At;
        Assert.InRange(firstNew, activating, answered + 1000);
        Assert.Contains(served, d => d.At < activating && d.Dim == 96);
        Assert.Contains(served, d => d.At > rollingBack && d.Dim == 96);
        output.WriteLine($"swap under load: {served.Count} requests, {failures.Count} failed; activate answered in {answered - activating} ms " +
                         $"(switch {activated.GetProperty("switch_seconds").GetDouble():F3} s), first new-model answer {firstNew - activating} ms after the activation began");
    }

    private static async Task<string> InfoFingerprintAsync(HttpClient client, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/info");
        if (key is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("weights_fingerprint").GetString()!;
    }

    private static async Task<JsonElement> EmbedAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/v1/embed", new { inputs = new[] { new { image = Rocket } } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
