using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Engine.IO;
using Grpc.Core;

namespace EmbeddingService.Api.Tests;

/// <summary>The HTTP semantics of the REST surface: content negotiation, media types, methods, deadlines and error indexes.</summary>
public sealed class HttpSemanticsTests
{
    private static ByteArrayContent Raw(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static HttpRequestMessage Embed(string? accept, HttpContent content, string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embed" + query) { Content = content };
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        return request;
    }

    private static object JsonImages(params string[] images) => new { inputs = images.Select(i => new { image = i }).ToArray() };

    [Fact]
    public async Task AcceptQValuesAndOrderChooseTheAnswerAndNothingAcceptableIs406()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var image = EmbedTestData.Good("rocket.jpg");
        var cases = new (string? Accept, string Expected)[]
        {
            (null, "application/json"),
            ("*/*", "application/json"),
            ("application/json, application/x-npy;q=0.5", "application/json"),
            ("application/x-npy;q=0.5, application/json", "application/json"),
            ("application/json;q=0.4, application/x-npy;q=0.9", EmbedEndpoint.NpyMediaType),
            ("application/x-npy, application/json", EmbedEndpoint.NpyMediaType),
            ("application/json, application/x-npy", "application/json"),
            ("application/x-npy, */*;q=0.1", EmbedEndpoint.NpyMediaType),
            ("application/*, application/json;q=0", EmbedEndpoint.NpyMediaType),
            ("text/html, */*;q=0.8", "application/json"),
        };
        foreach (var (accept, expected) in cases)
        {
            var response = await service.RestClient.SendAsync(Embed(accept, Raw(image, "image/jpeg")));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"Accept {accept}: {response.StatusCode}");
            Assert.True(expected == response.Content.Headers.ContentType?.MediaType, $"Accept {accept}: got {response.Content.Headers.ContentType}");
            if (expected == EmbedEndpoint.NpyMediaType)
            {
                var npy = Npy.Read(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
                Assert.Equal(new long[] { 1, 96 }, npy.Shape);
            }
        }

        foreach (var accept in new[] { "text/csv", "application/x-npy;q=0, application/json;q=0", "image/*" })
        {
            var problem = await ProblemAssert.ExpectAsync(await service.RestClient.SendAsync(Embed(accept, Raw(image, "image/jpeg"))), HttpStatusCode.NotAcceptable, "not_acceptable");
            Assert.Contains("application/json, application/x-npy", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task PatchFeaturesWithTheNpyAnswerAreRefusedNotDropped()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var image = EmbedTestData.Good("rocket.jpg");
        var byQuery = await ProblemAssert.ExpectAsync(await service.RestClient.SendAsync(Embed("application/x-npy", Raw(image, "image/jpeg"), "?patch_features=true")),
            HttpStatusCode.BadRequest, "patch_features_need_json");
        Assert.Contains("application/json", byQuery.GetProperty("detail").GetString());
        var body = new { inputs = new[] { new { image = Convert.ToBase64String(image) } }, options = new { patch_features = true } };
        await ProblemAssert.ExpectAsync(await service.RestClient.SendAsync(Embed("application/x-npy", JsonContent.Create(body))), HttpStatusCode.BadRequest, "patch_features_need_json");

        var json = await service.RestClient.SendAsync(Embed("application/json", Raw(image, "image/jpeg"), "?patch_features=true"));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.True(JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0].GetProperty("patch_features").GetArrayLength() > 0);
    }

    [Fact]
    public async Task OctetStreamBodiesAreImagesWhoseBytesDecideTheFormat()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = service.RestClient;
        var asJpeg = JsonDocument.Parse(await (await client.PostAsync("/v1/embed", Raw(EmbedTestData.Good("rocket.jpg"), "image/jpeg"))).Content.ReadAsStringAsync()).RootElement;
        var octets = await client.PostAsync("/v1/embed", Raw(EmbedTestData.Good("rocket.jpg"), "application/octet-stream"));
        Assert.Equal(HttpStatusCode.OK, octets.StatusCode);
        var asOctets = JsonDocument.Parse(await octets.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(asJpeg.GetProperty("data")[0].GetProperty("embedding").GetRawText(), asOctets.GetProperty("data")[0].GetProperty("embedding").GetRawText());

        var undecodable = await ProblemAssert.ExpectAsync(await client.PostAsync("/v1/embed", Raw(EmbedTestData.Bad("random.jpg"), "application/octet-stream")),
            HttpStatusCode.UnprocessableEntity, "image_decode_failed");
        Assert.False(undecodable.TryGetProperty("index", out _), "one raw image is no list: its error names no index");

        var refused = await ProblemAssert.ExpectAsync(await client.PostAsync("/v1/embed", Raw([1, 2, 3], "text/plain")), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.Contains("application/octet-stream", refused.GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("/v1/collections/octets", null)).StatusCode);
        var search = await client.PostAsync("/v1/collections/octets/search?k=3", Raw(EmbedTestData.Good("rocket.jpg"), "application/octet-stream"));
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
    }

    [Fact]
    public async Task DataUrlImagesAreReadAsTheirBase64()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = service.RestClient;
        var base64 = Convert.ToBase64String(EmbedTestData.Good("chelsea.png"));
        var plain = await client.PostAsJsonAsync("/v1/embed", JsonImages(base64));
        var dataUrl = await client.PostAsJsonAsync("/v1/embed", JsonImages("data:image/png;base64," + base64));
        Assert.Equal(HttpStatusCode.OK, dataUrl.StatusCode);
        Assert.Equal(
            JsonDocument.Parse(await plain.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0].GetProperty("embedding").GetRawText(),
            JsonDocument.Parse(await dataUrl.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0].GetProperty("embedding").GetRawText());
        // A data URL that is not base64, and base64 that is broken behind the prefix, stay invalid.
        await ProblemAssert.ExpectAsync(await client.PostAsJsonAsync("/v1/embed", JsonImages("data:image/png,rawbytes")), HttpStatusCode.BadRequest, "invalid_argument");
        await ProblemAssert.ExpectAsync(await client.PostAsJsonAsync("/v1/embed", JsonImages("data:image/png;base64,@@@")), HttpStatusCode.BadRequest, "invalid_argument");

        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("/v1/collections/urls", null)).StatusCode);
        var upsert = await client.PostAsJsonAsync("/v1/collections/urls/points", new { points = new[] { new { id = "cat", image = "data:image/png;base64," + base64 } } });
        Assert.True(upsert.IsSuccessStatusCode, await upsert.Content.ReadAsStringAsync());
        var search = await client.PostAsJsonAsync("/v1/collections/urls/search", new { image = "data:image/png;base64," + base64, k = 1 });
        Assert.Equal("cat", JsonDocument.Parse(await search.Content.ReadAsStringAsync()).RootElement.GetProperty("hits")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task ADeadlineThatPassesWhileDecodingIsReportedWithoutANegativeWait()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        // A 3000×3000 noisy JPEG takes far longer than 1 ms to read and decode: the deadline has passed before it is queued.
        using var request = Embed(null, Raw(EmbedTestData.NoisyJpeg(3000, 3000), "image/jpeg"));
        request.Headers.Add(RequestDeadline.Header, "1");
        var problem = await ProblemAssert.ExpectAsync(await service.RestClient.SendAsync(request), HttpStatusCode.GatewayTimeout, "deadline_exceeded");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.DoesNotMatch(@"-\d", detail);
        Assert.Matches(@"^the deadline had passed \d+ ms before the image was queued", detail);
    }

    [Fact]
    public async Task PerInputErrorsNameTheInputsPlaceInTheRequest()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = service.RestClient;
        var notAnImage = Convert.ToBase64String(Encoding.ASCII.GetBytes("hello"));

        // Upsert: the failing image is the second point, the first having a vector.
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("/v1/collections/places", null)).StatusCode);
        var upsert = await ProblemAssert.ExpectAsync(await client.PostAsJsonAsync("/v1/collections/places/points",
            new { points = new object[] { new { id = "v3", vector = Enumerable.Repeat(0.1f, 96).ToArray() }, new { id = "v4", image = notAnImage } } }),
            HttpStatusCode.UnprocessableEntity, "image_decode_failed");
        Assert.Equal(1, upsert.GetProperty("index").GetInt32());
        Assert.StartsWith("input 1 (v4):", upsert.GetProperty("detail").GetString());

        // One JSON input: its index whether its base64 or its image is bad.
        var badBase64 = await ProblemAssert.ExpectAsync(await client.PostAsJsonAsync("/v1/embed", JsonImages("not base64!")), HttpStatusCode.BadRequest, "invalid_argument");
        Assert.Equal(0, badBase64.GetProperty("index").GetInt32());
        var undecodable = await ProblemAssert.ExpectAsync(await client.PostAsJsonAsync("/v1/embed", JsonImages(notAnImage)), HttpStatusCode.UnprocessableEntity, "image_decode_failed");
        Assert.Equal(0, undecodable.GetProperty("index").GetInt32());
        using var form = new MultipartFormDataContent { { Raw(Encoding.ASCII.GetBytes("hello"), "image/png"), "only", "only.png" } };
        var multipart = await ProblemAssert.ExpectAsync(await client.PostAsync("/v1/embed", form), HttpStatusCode.UnprocessableEntity, "image_decode_failed");
        Assert.Equal(0, multipart.GetProperty("index").GetInt32());

        // A single search is "the search", with no index; a batch of one still names its search.
        var single = await ProblemAssert.ExpectAsync(await client.PostAsJsonAsync("/v1/collections/places/search", new { id = "v3", k = 0 }), HttpStatusCode.BadRequest, "invalid_argument");
        Assert.StartsWith("the search: k must be", single.GetProperty("detail").GetString());
        Assert.False(single.TryGetProperty("index", out _));
        var singleImage = await ProblemAssert.ExpectAsync(await client.PostAsJsonAsync("/v1/collections/places/search", new { image = notAnImage }), HttpStatusCode.UnprocessableEntity, "image_decode_failed");
        Assert.False(singleImage.TryGetProperty("index", out _));
        Assert.DoesNotContain("input 0", singleImage.GetProperty("detail").GetString());
        var batch = await ProblemAssert.ExpectAsync(await client.PostAsJsonAsync("/v1/collections/places/search/batch", new { searches = new[] { new { id = "v3", k = 0 } } }),
            HttpStatusCode.BadRequest, "invalid_argument");
        Assert.StartsWith("search 0: k must be", batch.GetProperty("detail").GetString());
        Assert.Equal(0, batch.GetProperty("index").GetInt32());
    }

    [Fact]
    public async Task ARouteCalledWithAMethodItLacksIs405WithAllow()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = service.RestClient;
        foreach (var (method, path, allowed) in new[]
                 {
                     (HttpMethod.Get, "/v1/embed", "POST"),
                     (HttpMethod.Put, "/v1/embed", "POST"),
                     (HttpMethod.Delete, "/v1/collections", "GET"),
                     (HttpMethod.Get, "/v1/collections/shelf/search", "POST"),
                     (HttpMethod.Post, "/v1/info", "GET"),
                 })
        {
            var response = await client.SendAsync(new HttpRequestMessage(method, path));
            var problem = await ProblemAssert.ExpectAsync(response, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
            Assert.Contains(allowed, response.Content.Headers.Allow);
            Assert.Contains(method.Method, problem.GetProperty("detail").GetString());
        }
        await ProblemAssert.ExpectAsync(await client.GetAsync("/v1/no-such-route"), HttpStatusCode.NotFound, "not_found");

        // gRPC's catch-all for unknown services is off (it hid these 405s); an unknown service is still UNIMPLEMENTED.
        var text = Marshallers.Create(s => Encoding.UTF8.GetBytes(s), b => Encoding.UTF8.GetString(b));
        var unknown = new Method<string, string>(MethodType.Unary, "no.such.Service", "Call", text, text);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await service.GrpcChannel.CreateCallInvoker().AsyncUnaryCall(unknown, null, new CallOptions(), "x"));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }
}
