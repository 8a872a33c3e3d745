using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddingService.Engine.IO;

namespace EmbeddingService.Api.Tests;

public sealed class EmbedRestTests
{
    private static ByteArrayContent Image(byte[] bytes, string type = "image/jpeg")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task RawImageBodyGivesOneNormalisedEmbedding()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var response = await service.RestClient.PostAsync("/v1/embed", Image(EmbedTestData.Good("rocket.jpg")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        Assert.Equal(96, body.GetProperty("dim").GetInt32());
        Assert.Equal("cls", body.GetProperty("pooling").GetString());
        var item = Assert.Single(body.GetProperty("data").EnumerateArray());
        var vector = item.GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => v * v)), 4);
        Assert.Equal(257, body.GetProperty("usage").GetProperty("tokens").GetInt64());
        Assert.True(body.GetProperty("timings").GetProperty("inference_ms").GetDouble() > 0);
        // Server-Timing: every stage once, in milliseconds, the stages within the handler's time.
        var stages = Assert.Single(response.Headers.GetValues("Server-Timing")).Split(", ")
            .Select(entry => entry.Split(";dur="))
            .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["read", "decode", "queue", "infer", "app"], stages.Keys);
        Assert.Equal(body.GetProperty("timings").GetProperty("inference_ms").GetDouble(), stages["infer"], 3);
        Assert.True(stages["infer"] > 0 && stages["decode"] > 0);
        Assert.True(stages["read"] + stages["decode"] + stages["queue"] + stages["infer"] <= stages["app"] + 0.01, $"stages exceed the handler's time: {string.Join(", ", stages)}");
    }

    [Fact]
    public async Task MultipartPartsAreEmbeddedInOrderWithTheirNamesAsIds()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        using var form = new MultipartFormDataContent
        {
            { Image(EmbedTestData.Good("chelsea.png"), "image/png"), "first", "chelsea.png" },
            { Image(EmbedTestData.Good("camera.png"), "image/png"), "second", "camera.png" },
        };
        var response = await service.RestClient.PostAsync("/v1/embed?pooling=mean&normalize=false", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await Json(response)).GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(["chelsea.png", "camera.png"], items.Select(i => i.GetProperty("id").GetString()));
        Assert.Equal([0, 1], items.Select(i => i.GetProperty("index").GetInt32()));
    }

    [Fact]
    public async Task JsonBase64InputsTakeOptionsAndReturnPatchFeatures()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var request = new
        {
            inputs = new[] { new { image = Convert.ToBase64String(EmbedTestData.Good("rocket.jpg")), id = "rocket" } },
            options = new { pooling = "cls+mean", patch_features = true, policy = "keep-aspect", resolution = 112 },
        };
        var response = await service.RestClient.PostAsJsonAsync("/v1/embed", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        Assert.Equal(192, body.GetProperty("dim").GetInt32());
        var item = body.GetProperty("data")[0];
        Assert.Equal("rocket", item.GetProperty("id").GetString());
        var (height, width) = (item.GetProperty("grid_height").GetInt32(), item.GetProperty("grid_width").GetInt32());
        Assert.Equal((8, 11), (height, width)); // rocket.jpg is 640×427: shorter side 112 → 112×167 → 112×154
        Assert.Equal(height * width, item.GetProperty("patch_features").GetArrayLength());
        Assert.Equal(96, item.GetProperty("patch_features")[0].GetArrayLength());
    }

    [Fact]
    public async Task NpyResponseHoldsTheSameEmbeddingsAsJson()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        MultipartFormDataContent Form() => new()
        {
            { Image(EmbedTestData.Good("astronaut.png"), "image/png"), "a", "a.png" },
            { Image(EmbedTestData.Good("chelsea.webp"), "image/webp"), "b", "b.webp" },
        };
        var json = await Json(await service.RestClient.PostAsync("/v1/embed", Form()));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embed") { Content = Form() };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-npy"));
        var response = await service.RestClient.SendAsync(request);
        Assert.Equal("application/x-npy", response.Content.Headers.ContentType!.MediaType);
        var array = Npy.Read(await response.Content.ReadAsStreamAsync());
        Assert.Equal(new long[] { 2, 96 }, array.Shape);
        var expected = json.GetProperty("data").EnumerateArray().SelectMany(i => i.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())).ToArray();
        Assert.Equal(expected, array.Data);
    }

    public static TheoryData<string> BadFiles => new(EmbedTestData.BadNames());

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task EveryBadFixtureGetsItsProblemCode(string file)
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var response = await service.RestClient.PostAsync("/v1/embed", Image(EmbedTestData.Bad(file)));
        var (status, code) = file.StartsWith("bomb", StringComparison.Ordinal) || file.StartsWith("huge", StringComparison.Ordinal)
            ? (HttpStatusCode.RequestEntityTooLarge, "image_too_large")
            : (HttpStatusCode.UnprocessableEntity, "image_decode_failed");
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(code, (await Json(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task ABadInputInABatchIsNamedByIndexAndNothingIsComputed()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        using var form = new MultipartFormDataContent
        {
            { Image(EmbedTestData.Good("rocket.jpg")), "a", "a.jpg" },
            { Image(EmbedTestData.Bad("truncated.jpg")), "b", "b.jpg" },
        };
        var response = await service.RestClient.PostAsync("/v1/embed", form);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(1, (await Json(response)).GetProperty("index").GetInt32());
    }

    [Theory]
    [InlineData("text/plain", "hello", "unsupported_media_type", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/json", "{\"inputs\": 3}", "invalid_argument", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "{\"inputs\": [{\"image\": \"***\"}]}", "invalid_argument", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "{\"inputs\": []}", "invalid_argument", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "not json", "invalid_argument", HttpStatusCode.BadRequest)]
    public async Task MalformedRequestsAreClearProblems(string contentType, string body, string code, HttpStatusCode status)
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var response = await service.RestClient.PostAsync("/v1/embed", new StringContent(body, null, contentType));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await Json(response)).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("pooling=max")]
    [InlineData("resolution=100")]
    [InlineData("policy=stretch")]
    [InlineData("normalize=maybe")]
    public async Task BadOptionsAreInvalidArguments(string query)
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var response = await service.RestClient.PostAsync($"/v1/embed?{query}", Image(EmbedTestData.Good("rocket.jpg")));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(query.Split('=')[0], (await Json(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_center_crop_over_the_token_limit_is_refused_naming_the_largest_while_keep_aspect_decides_per_image()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var response = await service.RestClient.PostAsync("/v1/embed?policy=center-crop&resolution=532", Image(EmbedTestData.Good("rocket.jpg")));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json(response);
        Assert.Equal("invalid_argument", problem.GetProperty("code").GetString());
        Assert.Contains("the largest center crop is 518", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.PostAsync("/v1/embed?policy=center-crop&resolution=518", Image(EmbedTestData.Good("rocket.jpg")))).StatusCode);

        var perImage = await service.RestClient.PostAsync("/v1/embed?policy=keep-aspect&resolution=532", Image(EmbedTestData.Good("rocket.jpg")));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, perImage.StatusCode);
        Assert.Contains("use a smaller resolution", (await Json(perImage)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task LimitsOnImagesAndBodySizeAreEnforced()
    {
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, "--Serving:MaxImagesPerRequest=2", "--Serving:MaxBodyBytes=200000"]);
        using var three = new MultipartFormDataContent();
        foreach (var name in new[] { "a", "b", "c" }) three.Add(Image(EmbedTestData.Good("chelsea-10x10.png"), "image/png"), name, name + ".png");
        var tooMany = await service.RestClient.PostAsync("/v1/embed", three);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
        Assert.Equal("too_many_images", (await Json(tooMany)).GetProperty("code").GetString());

        var tooBig = await service.RestClient.PostAsync("/v1/embed", Image(EmbedTestData.Good("astronaut.png"), "image/png"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal("payload_too_large", (await Json(tooBig)).GetProperty("code").GetString());
    }
}
