using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddingService.Api.Training;
using EmbeddingService.Training.Tests.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddingService.Api.Tests.Training;

/// <summary>
/// The API in process with training on: its supervisor starts a real trainer worker process (the built
/// EmbeddingService.Trainer.dll) on free local ports, in folders of its own (worker data, data root, model cache), with
/// an admin key and a user key. <see cref="Admin"/> sends the admin key.
/// </summary>
public sealed class TrainingApi : IAsyncLifetime
{
    public const string AdminKey = "admin-key";
    public const string UserKey = "user-key";

    public TrainingApi() : this(TestService.NewDataDirectory())
    {
    }

    private TrainingApi(string root) => Root = root;

    /// <summary>The folder under which the worker's data, the data root and the model cache live.</summary>
    public string Root { get; }

    public string DataRoot => Path.Combine(Root, "data-root");

    public int WorkerGrpcPort { get; } = ServiceProcess.FreePort();
    public int WorkerHttpPort { get; } = ServiceProcess.FreePort();

    public TestService Service { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    /// <summary>The training settings of this API (for a second API on the same worker and cache).</summary>
    public string[] Settings => [.. EmbedTestData.TinyModel, $"--Auth:AdminKeys:0={AdminKey}", $"--Auth:ApiKeys:0={UserKey}", .. TrainingSettings(Root, WorkerGrpcPort, WorkerHttpPort)];

    public static string[] TrainingSettings(string root, int grpcPort, int httpPort) =>
    [
        "--Training:Enabled=true",
        $"--Training:DataDirectory={Path.Combine(root, "worker")}",
        $"--Training:DataRoot={Path.Combine(root, "data-root")}",
        $"--Training:ModelCacheDirectory={Path.Combine(root, "model-cache")}",
        $"--Training:LocalGrpcPort={grpcPort}",
        $"--Training:LocalHttpPort={httpPort}",
        "--Training:MaxRestartDelaySeconds=2",
    ];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataRoot);
        Service = await TestService.StartAsync(Settings);
        Admin = WithKey(Service.RestClient.BaseAddress!, AdminKey);
        await WaitForWorkerAsync(Admin);
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        // A graceful stop of the API sends its worker SIGTERM and waits for it (disposing alone stops no hosted service).
        var supervisor = Service.App.Services.GetRequiredService<LocalTrainerSupervisor>();
        await Service.App.StopAsync();
        Assert.True(supervisor.WorkerPid is not { } pid || !File.Exists($"/proc/{pid}/cmdline") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "),
            "the worker outlived the API's graceful stop");
        await Service.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    public static HttpClient WithKey(Uri address, string? key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Polls GET /v1/admin/jobs until the worker answers (it starts with the API).</summary>
    public static async Task WaitForWorkerAsync(HttpClient admin)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var response = await admin.GetAsync("/v1/admin/jobs");
            if (response.StatusCode == HttpStatusCode.OK) return;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the trainer worker did not answer: " + await response.Content.ReadAsStringAsync());
            await Task.Delay(200);
        }
    }

    /// <summary>A tiny pretraining job (random init, synthetic images, steps of milliseconds) as the body of POST /v1/admin/jobs.</summary>
    public static JsonObject Job(int steps, int checkpointEvery = 5, int priority = 0) => new()
    {
        ["kind"] = "pretrain",
        ["spec"] = TinyRuns.Pretrain(steps).With("checkpoints.every_steps", checkpointEvery),
        ["priority"] = priority,
    };

    public static async Task<JsonElement> SubmitAsync(HttpClient admin, JsonObject job, HttpStatusCode expected = HttpStatusCode.Created, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/jobs") { Content = JsonContent.Create(job) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        var response = await admin.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> PostJsonAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.PostAsync(path, null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"POST {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Watches the job's Server-Sent Events until the stream ends; every (type, data) in order.</summary>
    public static async Task<List<(string Type, JsonElement Data)>> WatchAsync(HttpClient admin, string id, Func<string, JsonElement, bool>? stopWhen = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var response = await admin.GetAsync($"/v1/admin/jobs/{id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<(string, JsonElement)>();
        string? type = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
                events.Add((type!, data));
                if (stopWhen?.Invoke(type!, data) == true) break;
            }
        }
        return events;
    }

    /// <summary>Submits a job and watches it to its end; the last state.</summary>
    public static async Task<(string Id, string State)> RunAsync(HttpClient admin, JsonObject job)
    {
        var id = (await SubmitAsync(admin, job)).GetProperty("id").GetString()!;
        var events = await WatchAsync(admin, id);
        return (id, events.Last(e => e.Type == "state").Data.GetProperty("state").GetString()!);
    }
}
