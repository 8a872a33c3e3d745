using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddingService.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddingService.Api.Tests;

/// <summary>The host on a real Kestrel bound to 127.0.0.1 with an ephemeral port.</summary>
public sealed class HostTests
{
    private static readonly string[] LoopbackEphemeralPorts = ["--Serving:BindAddress=127.0.0.1", "--Serving:RestPort=0", "--Serving:GrpcPort=0"];

    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(params string[] settings)
    {
        var app = ApiApplication.Build([.. LoopbackEphemeralPorts, .. settings]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    [Fact]
    public async Task ServesTheConfiguredCheckpointAndSaysWhatItIs()
    {
        var weights = Path.Combine(AppContext.BaseDirectory, "fixtures", "dinov2-parity", "reg", "weights.safetensors");
        var (app, client) = await StartAsync($"--Model:Weights={weights}", "--Model:Device=cpu");
        await using (app)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
            var info = await client.GetFromJsonAsync<JsonElement>("/v1/info");
            Assert.False(info.GetProperty("random_weights").GetBoolean());
            Assert.Equal(96, info.GetProperty("embed_dim").GetInt32());
            Assert.Equal(4, info.GetProperty("registers").GetInt32());
            Assert.Matches("^sha256:[0-9a-f]{16}$", info.GetProperty("weights_fingerprint").GetString()!);
        }
    }

    [Fact]
    public async Task RandomWeightsAreLabelledAsSuch()
    {
        var (app, client) = await StartAsync("--Model:Weights=random:3", "--Model:Architecture=vits14", "--Model:Device=cpu");
        await using (app)
        {
            var info = await client.GetFromJsonAsync<JsonElement>("/v1/info");
            Assert.True(info.GetProperty("random_weights").GetBoolean());
            Assert.Contains("RANDOM", info.GetProperty("model").GetString());
            Assert.Equal("random:vits14:3", info.GetProperty("weights_fingerprint").GetString());
        }
    }

    [Fact]
    public async Task BadModelConfigurationStopsStartUpWithAMessageNamingTheProblem()
    {
        var app = ApiApplication.Build([.. LoopbackEphemeralPorts, "--Model:Weights=random:x"]);
        await using (app)
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => app.StartAsync());
            Assert.Contains("random:SEED", error.Message);
        }
    }
}
