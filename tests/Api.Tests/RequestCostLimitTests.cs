using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddingService.Protos.V1;
using Google.Protobuf;
using Grpc.Core;
using EmbeddingClient = EmbeddingService.Protos.V1.Embedding.EmbeddingClient;

namespace EmbeddingService.Api.Tests;

/// <summary>
/// One request's cost is bounded before it is queued: an image over the per-image token cap, a request over its
/// token or decoded-pixel budget, are refused at once with 413 and a specific code, and the service keeps serving.
/// </summary>
public sealed class RequestCostLimitTests
{
    private static ByteArrayContent Image(string name)
    {
        var content = new ByteArrayContent(EmbedTestData.Good(name));
        content.Headers.ContentType = new MediaTypeHeaderValue(name.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg");
        return content;
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();

    [Fact]
    public async Task An_image_over_the_token_cap_is_refused_with_image_too_large_and_the_service_keeps_serving()
    {
        // Keep-aspect at 224 gives this photo at least 16×16 patches; a cap of 100 refuses it before it reaches the queue.
        // (A center crop over the cap is refused for every image, as a bad option: EmbedRestTests.)
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel,
            "--Serving:Policy=keep-aspect", "--Serving:Resolution=56", "--Serving:MaxImageTokens=100", "--Serving:MaxRequestTokens=100"]);
        var refused = await service.RestClient.PostAsync("/v1/embed?policy=keep-aspect&resolution=224", Image("rocket.jpg"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("image_too_large", await CodeOf(refused));

        var small = await service.RestClient.PostAsync("/v1/embed", Image("rocket.jpg"));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task A_request_over_its_token_budget_is_refused_with_request_too_large()
    {
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, "--Serving:MaxImageTokens=300", "--Serving:MaxRequestTokens=400"]);
        using var form = new MultipartFormDataContent
        {
            { Image("chelsea.png"), "first", "chelsea.png" },
            { Image("camera.png"), "second", "camera.png" },
        };
        var refused = await service.RestClient.PostAsync("/v1/embed", form);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("request_too_large", await CodeOf(refused));
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.PostAsync("/v1/embed", Image("camera.png"))).StatusCode);
    }

    [Fact]
    public async Task A_request_over_its_decoded_pixel_budget_is_refused_with_request_too_large()
    {
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, "--Serving:MaxRequestPixels=1000"]);
        var refused = await service.RestClient.PostAsync("/v1/embed", Image("rocket.jpg"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("request_too_large", await CodeOf(refused));
    }

    [Theory]
    [InlineData("--Serving:MaxRequestTokens=400")]
    [InlineData("--Serving:MaxRequestPixels=1000")]
    public async Task Request_too_large_is_a_whole_request_error_with_no_index_over_rest_and_grpc(string limit)
    {
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, "--Serving:MaxImageTokens=300", limit]);
        using var form = new MultipartFormDataContent
        {
            { Image("chelsea.png"), "first", "chelsea.png" },
            { Image("camera.png"), "second", "camera.png" },
        };
        var refused = await service.RestClient.PostAsync("/v1/embed", form);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("request_too_large", problem.GetProperty("code").GetString());
        Assert.False(problem.TryGetProperty("index", out _), problem.GetRawText());

        await service.RestClient.PutAsync("/v1/collections/c", null);
        var upsert = await service.RestClient.PostAsJsonAsync("/v1/collections/c/points", new
        {
            points = new object[] { new { id = "a", image = Convert.ToBase64String(EmbedTestData.Good("chelsea.png")) }, new { id = "b", image = Convert.ToBase64String(EmbedTestData.Good("camera.png")) } },
        });
        var upsertProblem = JsonDocument.Parse(await upsert.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("request_too_large", upsertProblem.GetProperty("code").GetString());
        Assert.False(upsertProblem.TryGetProperty("index", out _), upsertProblem.GetRawText());

        var request = new EmbedRequest { Images = { new ImageInput { Image = ByteString.CopyFrom(EmbedTestData.Good("chelsea.png")) }, new ImageInput { Image = ByteString.CopyFrom(EmbedTestData.Good("camera.png")) } } };
        var status = await Assert.ThrowsAsync<RpcException>(() => new EmbeddingClient(service.GrpcChannel).EmbedAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, status.StatusCode);
        Assert.StartsWith("request_too_large: the request's", status.Status.Detail);
    }

    [Fact]
    public async Task Collections_are_listed_with_their_state()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var created = await service.RestClient.PutAsJsonAsync("/v1/collections/listed", new { pooling = "cls" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var listed = JsonDocument.Parse(await service.RestClient.GetStringAsync("/v1/collections")).RootElement;
        var collection = listed.ValueKind == JsonValueKind.Array ? listed.EnumerateArray().Single() : listed.GetProperty("collections").EnumerateArray().Single();
        Assert.Equal("ready", collection.GetProperty("state").GetString());
        Assert.False(collection.TryGetProperty("problem", out _));
    }
}
