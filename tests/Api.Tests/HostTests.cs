using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Engine.Inference;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddingService.Api.Tests;

/// <summary>What the host serves and how it describes it.</summary>
public sealed class HostTests
{
    [Fact]
    public async Task ServesTheConfiguredCheckpointAndSaysWhatItIs()
    {
        var weights = Path.Combine(AppContext.BaseDirectory, "fixtures", "dinov2-parity", "reg", "weights.safetensors");
        await using var service = await TestService.StartAsync([$"--Model:Weights={weights}", "--Model:Architecture="]);
        var client = service.RestClient;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        var info = await client.GetFromJsonAsync<JsonElement>("/v1/info");
        Assert.False(info.GetProperty("random_weights").GetBoolean());
        Assert.False(info.TryGetProperty("warning", out _));
        Assert.Equal(96, info.GetProperty("embed_dim").GetInt32());
        Assert.Equal(4, info.GetProperty("registers").GetInt32());
        Assert.Matches("^sha256:[0-9a-f]{16}$", info.GetProperty("weights_fingerprint").GetString()!);
        Assert.Equal("weights.safetensors", info.GetProperty("weights_source").GetString());
        var dims = info.GetProperty("dims");
        Assert.Equal(96, dims.GetProperty("cls").GetInt32());
        Assert.Equal(96, dims.GetProperty("mean").GetInt32());
        Assert.Equal(192, dims.GetProperty("cls+mean").GetInt32());
    }

    [Fact]
    public async Task InfoLabelsRandomWeightsAndReportsServingSettingsAndVersions()
    {
        await using var service = await TestService.StartAsync(["--Model:Weights=random:3", "--Serving:Policy=keep-aspect", "--Serving:Resolution=448", "--Serving:MaxBatchImages=16"]);
        var info = await service.RestClient.GetFromJsonAsync<JsonElement>("/v1/info");
        Assert.True(info.GetProperty("random_weights").GetBoolean());
        Assert.Contains("RANDOM", info.GetProperty("model").GetString());
        Assert.Contains("RANDOM", info.GetProperty("warning").GetString());
        Assert.Equal("random:vits14:3", info.GetProperty("weights_fingerprint").GetString());
        Assert.Equal(14, info.GetProperty("patch_size").GetInt32());
        Assert.Equal(768, info.GetProperty("dims").GetProperty("cls+mean").GetInt32());
        Assert.Equal("keep-aspect", info.GetProperty("preprocessing").GetProperty("policy").GetString());
        Assert.Equal(448, info.GetProperty("preprocessing").GetProperty("resolution").GetInt32());
        var batching = info.GetProperty("batching");
        Assert.Equal(16, batching.GetProperty("max_batch_images").GetInt32());
        Assert.Equal(256, batching.GetProperty("queue_capacity").GetInt32());
        Assert.Equal(8224, batching.GetProperty("max_batch_tokens").GetInt32());
        Assert.Equal(5, batching.GetProperty("max_queue_delay_ms").GetInt32());
        var limits = info.GetProperty("limits");
        Assert.Equal(20 * 1024 * 1024, limits.GetProperty("max_body_bytes").GetInt64());
        Assert.Equal(64, limits.GetProperty("max_images_per_request").GetInt32());
        Assert.Equal(40_000_000, limits.GetProperty("max_pixels").GetInt64());
        Assert.Equal(2048, limits.GetProperty("max_resolution").GetInt32());
        Assert.Equal(518, limits.GetProperty("max_center_crop_resolution").GetInt32()); // 1 + 37² = 1370 ≤ 1374 tokens
        Assert.Equal(10_000, limits.GetProperty("max_points_per_request").GetInt32());
        Assert.Equal(1000, limits.GetProperty("max_searches_per_request").GetInt32());
        Assert.Equal(1000, limits.GetProperty("max_k").GetInt32());
        var versions = info.GetProperty("versions");
        Assert.StartsWith(".NET 10", versions.GetProperty("dotnet").GetString());
        Assert.Matches(@"^\d+\.\d+", versions.GetProperty("libtorch").GetString()!);
        Assert.Matches(@"^\d+\.\d+", versions.GetProperty("torch_sharp").GetString()!);
        Assert.Matches(@"^\d+\.\d+", versions.GetProperty("onnx_runtime").GetString()!);
        Assert.False(string.IsNullOrEmpty(versions.GetProperty("service").GetString()));
        Assert.Contains("cpu", info.GetProperty("device").GetString());
        Assert.Equal("onnxruntime", info.GetProperty("backend").GetString());
    }

    [Fact]
    public async Task AHotSwapServesTheNewModelFromTheNextRequest()
    {
        await using var service = await TestService.StartAsync([]);
        var runtime = service.App.Services.GetRequiredService<EmbeddingRuntime>();
        var before = runtime.Current;
        var tiny = Path.Combine(AppContext.BaseDirectory, "fixtures", "dinov2-parity", "tiny", "weights.pth");

        await runtime.SwapAsync(new ModelLoadRequest { Weights = tiny, Device = "cpu" });

        Assert.NotSame(before, runtime.Current);
        Assert.True(runtime.IsReady);
        var info = await service.RestClient.GetFromJsonAsync<JsonElement>("/v1/info");
        Assert.False(info.GetProperty("random_weights").GetBoolean());
        var response = await service.RestClient.PostAsJsonAsync("/v1/embed", new { inputs = new[] { new { image = Convert.ToBase64String(EmbedTestData.Good("rocket.jpg")) } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(96, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dim").GetInt32());
    }

    [Fact]
    public async Task BadModelConfigurationStopsStartUpWithAMessageNamingTheProblem()
    {
        await using var app = TestService.Build(["--Model:Weights=random:x"]);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => app.StartAsync());
        Assert.Contains("random:SEED", error.Message);
    }
}
