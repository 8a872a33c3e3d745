using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddingService.Api.Collections;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddingService.Api.Tests;

public sealed class CollectionRestTests
{
    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code, int? index = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        if (index is { } i) Assert.Equal(i, problem.GetProperty("index").GetInt32());
    }

    private static string Base64(string goodImage) => Convert.ToBase64String(EmbedTestData.Good(goodImage));

    private static async Task<float[]> EmbedAsync(HttpClient client, string goodImage)
    {
        var response = await client.PostAsJsonAsync("/v1/embed", new { inputs = new[] { new { image = Base64(goodImage) } } });
        response.EnsureSuccessStatusCode();
        return (await Json(response)).GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
    }

    private static string[] HitIds(JsonElement result) => result.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("id").GetString()!).ToArray();

    [Fact]
    public async Task CollectionIsBoundToTheServedModelAndCreatingItAgainIsANoOp()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = service.RestClient;

        var created = await client.PutAsJsonAsync("/v1/collections/shelf", new { pooling = "cls+mean", index = "exact" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Json(created);
        Assert.Equal("shelf", body.GetProperty("name").GetString());
        Assert.Equal(0, body.GetProperty("count").GetInt64());
        Assert.Equal("exact", body.GetProperty("index").GetString());
        var model = body.GetProperty("model");
        Assert.Equal("cls+mean", model.GetProperty("pooling").GetString());
        Assert.Equal(192, model.GetProperty("dim").GetInt32());
        Assert.Equal("center-crop", model.GetProperty("policy").GetString());
        Assert.Equal(224, model.GetProperty("resolution").GetInt32());
        var info = await Json(await client.GetAsync("/v1/info"));
        Assert.Equal(info.GetProperty("weights_fingerprint").GetString(), model.GetProperty("weights_fingerprint").GetString());

        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/v1/collections/shelf", new { pooling = "cls+mean", index = "exact" })).StatusCode);
        await AssertProblem(await client.PutAsJsonAsync("/v1/collections/shelf", new { pooling = "mean" }), HttpStatusCode.Conflict, "collection_exists");
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("/v1/collections/defaults", null)).StatusCode);

        var list = (await Json(await client.GetAsync("/v1/collections"))).GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).Order().ToArray();
        Assert.Equal(["defaults", "shelf"], list);
        Assert.Equal("cls", (await Json(await client.GetAsync("/v1/collections/defaults"))).GetProperty("model").GetProperty("pooling").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v1/collections/shelf")).StatusCode);
        await AssertProblem(await client.GetAsync("/v1/collections/shelf"), HttpStatusCode.NotFound, "collection_not_found");
        await AssertProblem(await client.DeleteAsync("/v1/collections/shelf"), HttpStatusCode.NotFound, "collection_not_found");
        await AssertProblem(await client.PutAsJsonAsync("/v1/collections/bad%20name", new { }), HttpStatusCode.BadRequest, "invalid_argument");
        await AssertProblem(await client.PutAsJsonAsync("/v1/collections/x", new { index = "tree" }), HttpStatusCode.BadRequest, "invalid_argument");
        await AssertProblem(await client.PutAsJsonAsync("/v1/collections/x", new { pooling = "max" }), HttpStatusCode.BadRequest, "invalid_argument");
    }

    [Fact]
    public async Task ImagesAndVectorsAreIndexedAndFoundByImageVectorAndId()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = service.RestClient;
        await client.PutAsJsonAsync("/v1/collections/photos", new { });
        var rocket = await EmbedAsync(client, "rocket.jpg");

        var upsert = await client.PostAsJsonAsync("/v1/collections/photos/points", new
        {
            points = new object[]
            {
                new { id = "chelsea", image = Base64("chelsea.png"), payload = new { kind = "cat", shelf = 1 } },
                new { id = "camera", image = Base64("camera.png"), payload = new { kind = "person", shelf = 2 } },
                new { id = "rocket-vector", vector = rocket, payload = new { kind = "object", shelf = 2 } },
            },
        });
        Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);
        Assert.Equal(3, (await Json(upsert)).GetProperty("upserted").GetInt32());
        Assert.Equal(3, (await Json(await client.GetAsync("/v1/collections/photos"))).GetProperty("count").GetInt64());

        var byImage = await Json(await client.PostAsJsonAsync("/v1/collections/photos/search", new { image = Base64("rocket.jpg"), k = 3 }));
        var hits = byImage.GetProperty("hits").EnumerateArray().ToArray();
        Assert.Equal("rocket-vector", hits[0].GetProperty("id").GetString());
        Assert.Equal(1.0, hits[0].GetProperty("score").GetDouble(), 4);
        Assert.Equal("object", hits[0].GetProperty("payload").GetProperty("kind").GetString());
        Assert.Equal(3, hits.Length);
        Assert.True(hits[1].GetProperty("score").GetDouble() >= hits[2].GetProperty("score").GetDouble());

        var raw = new ByteArrayContent(EmbedTestData.Good("chelsea.png"));
        raw.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        Assert.Equal("chelsea", HitIds(await Json(await client.PostAsync("/v1/collections/photos/search?k=1", raw)))[0]);

        var filtered = await Json(await client.PostAsJsonAsync("/v1/collections/photos/search", new { vector = rocket, filter = new { shelf = 1 } }));
        Assert.Equal(["chelsea"], HitIds(filtered));
        var anyOf = await Json(await client.PostAsJsonAsync("/v1/collections/photos/search", new { vector = rocket, filter = new { kind = new[] { "cat", "person" } } }));
        Assert.Equal(["camera", "chelsea"], HitIds(anyOf).Order());

        var byId = await Json(await client.PostAsJsonAsync("/v1/collections/photos/search", new { id = "chelsea", k = 10 }));
        Assert.Equal(["camera", "rocket-vector"], HitIds(byId).Order());

        var threshold = await Json(await client.PostAsJsonAsync("/v1/collections/photos/search", new { vector = rocket, score_threshold = 0.9999 }));
        Assert.Equal(["rocket-vector"], HitIds(threshold));

        var batch = await Json(await client.PostAsJsonAsync("/v1/collections/photos/search/batch", new
        {
            searches = new object[] { new { image = Base64("camera.png"), k = 1 }, new { vector = rocket, k = 1 }, new { id = "rocket-vector", k = 2 } },
        }));
        var results = batch.GetProperty("results").EnumerateArray().Select(HitIds).ToArray();
        Assert.Equal(["camera"], results[0]);
        Assert.Equal(["rocket-vector"], results[1]);
        Assert.Equal(2, results[2].Length);
        Assert.DoesNotContain("rocket-vector", results[2]);

        var point = await Json(await client.GetAsync("/v1/collections/photos/points/rocket-vector"));
        var stored = point.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(rocket.Length, stored.Length);
        for (var i = 0; i < rocket.Length; i++) Assert.Equal(rocket[i], stored[i], 1e-5f);
        Assert.Equal(2, point.GetProperty("payload").GetProperty("shelf").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v1/collections/photos/points/camera")).StatusCode);
        await AssertProblem(await client.GetAsync("/v1/collections/photos/points/camera"), HttpStatusCode.NotFound, "point_not_found");
        await AssertProblem(await client.DeleteAsync("/v1/collections/photos/points/camera"), HttpStatusCode.NotFound, "point_not_found");
        Assert.Equal(2, (await Json(await client.GetAsync("/v1/collections/photos"))).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task VectorsMayComeAsBase64OfLittleEndianFloatsAndEqualTheJsonNumbers()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = service.RestClient;
        await client.PutAsJsonAsync("/v1/collections/packed", new { index = "exact" });
        var vector = Enumerable.Range(0, 96).Select(i => MathF.Sin(i + 1) * 1e-3f).ToArray();
        var bytes = new byte[vector.Length * 4];
        for (var i = 0; i < vector.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), vector[i]);

        var upsert = await client.PostAsJsonAsync("/v1/collections/packed/points", new
        {
            points = new object[] { new { id = "as-base64", vector_base64 = Convert.ToBase64String(bytes) }, new { id = "as-numbers", vector } },
        });

        Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);
        var fromBase64 = (await Json(await client.GetAsync("/v1/collections/packed/points/as-base64"))).GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var fromNumbers = (await Json(await client.GetAsync("/v1/collections/packed/points/as-numbers"))).GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(fromNumbers, fromBase64);
        var hits = await Json(await client.PostAsJsonAsync("/v1/collections/packed/search", new { vector_base64 = Convert.ToBase64String(bytes), k = 2 }));
        Assert.All(hits.GetProperty("hits").EnumerateArray(), h => Assert.Equal(1.0, h.GetProperty("score").GetDouble(), 5));
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/packed/points", new { points = new object[] { new { id = "odd", vector_base64 = Convert.ToBase64String(bytes[..5]) } } }),
            HttpStatusCode.BadRequest, "invalid_argument", 0);
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/packed/search", new { vector_base64 = "not base64!" }), HttpStatusCode.BadRequest, "invalid_argument");
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/packed/search", new { vector_base64 = Convert.ToBase64String(bytes[..8]) }), HttpStatusCode.BadRequest, "dimension_mismatch");
    }

    [Fact]
    public async Task MultipartImagesTakeTheirFileNamesAsIdsAndPayloadsFromAField()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = service.RestClient;
        await client.PutAsync("/v1/collections/parts", null);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(EmbedTestData.Good("chelsea.png")), "image", "chelsea.png" },
            { new ByteArrayContent(EmbedTestData.Good("rocket.jpg")), "image", "rocket.jpg" },
            { new StringContent("""{"rocket.jpg":{"colour":"white"}}"""), "payloads" },
        };

        var upsert = await client.PostAsync("/v1/collections/parts/points", form);

        Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);
        var point = await Json(await client.GetAsync("/v1/collections/parts/points/rocket.jpg"));
        Assert.Equal("white", point.GetProperty("payload").GetProperty("colour").GetString());
        var chelsea = await Json(await client.GetAsync("/v1/collections/parts/points/chelsea.png"));
        Assert.Equal(JsonValueKind.Null, chelsea.GetProperty("payload").ValueKind);
    }

    [Fact]
    public async Task BadPointsAreRefusedWithTheirIndexAndNothingIsWritten()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = service.RestClient;
        await client.PutAsync("/v1/collections/strict", null);
        var good = new { id = "good", image = Base64("rocket.jpg") };

        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/points", new { points = new object[] { good, new { id = "bad", image = Convert.ToBase64String(EmbedTestData.Bad(EmbedTestData.BadNames().First(n => n.Contains("truncated")))) } } }),
            HttpStatusCode.UnprocessableEntity, "image_decode_failed", 1);
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/points", new { points = new object[] { good, new { id = "short", vector = new[] { 1f, 2f } } } }),
            HttpStatusCode.BadRequest, "dimension_mismatch", 1);
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/points", new { points = new object[] { new { id = "zero", vector = new float[96] }, good } }),
            HttpStatusCode.BadRequest, "invalid_argument", 0);
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/points", new { points = new object[] { good, new { id = "both", image = Base64("rocket.jpg"), vector = new float[96] } } }),
            HttpStatusCode.BadRequest, "invalid_argument", 1);
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/points", new { points = new object[] { good, new { id = "list", vector = new float[96], payload = new[] { 1 } } } }),
            HttpStatusCode.BadRequest, "invalid_argument", 1);
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/points", new { points = Array.Empty<object>() }), HttpStatusCode.BadRequest, "invalid_argument");
        await AssertProblem(await client.PostAsync("/v1/collections/strict/points", new StringContent("{", null, "application/json")), HttpStatusCode.BadRequest, "invalid_argument");
        await AssertProblem(await client.PostAsync("/v1/collections/strict/points", new StringContent("x", null, "text/plain")), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/missing/points", new { points = new object[] { good } }), HttpStatusCode.NotFound, "collection_not_found");
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/search", new { vector = new[] { 1f } }), HttpStatusCode.BadRequest, "dimension_mismatch");
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/search", new { vector = new float[96], image = Base64("rocket.jpg") }), HttpStatusCode.BadRequest, "invalid_argument");
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/search", new { image = Base64("rocket.jpg"), k = 0 }), HttpStatusCode.BadRequest, "invalid_argument");
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/search", new { id = "nobody" }), HttpStatusCode.NotFound, "point_not_found");
        await AssertProblem(await client.PostAsJsonAsync("/v1/collections/strict/search", new { image = Base64("rocket.jpg"), filter = new { a = 1.5 } }), HttpStatusCode.BadRequest, "invalid_argument");

        Assert.Equal(0, (await Json(await client.GetAsync("/v1/collections/strict"))).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task ACollectionOutlivesARestartAndRefusesImagesFromAnotherModel()
    {
        var data = TestService.NewDataDirectory();
        try
        {
            float[] rocket;
            await using (var tiny = await TestService.StartAsync([.. EmbedTestData.TinyModel, $"--Retrieval:DataDirectory={data}"]))
            {
                await tiny.RestClient.PutAsync("/v1/collections/kept", null);
                rocket = await EmbedAsync(tiny.RestClient, "rocket.jpg");
                var upsert = await tiny.RestClient.PostAsJsonAsync("/v1/collections/kept/points", new { points = new object[] { new { id = "rocket", image = Base64("rocket.jpg") } } });
                Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);
            }

            await using (var sameModel = await TestService.StartAsync([.. EmbedTestData.TinyModel, $"--Retrieval:DataDirectory={data}"]))
            {
                var hits = await Json(await sameModel.RestClient.PostAsJsonAsync("/v1/collections/kept/search", new { image = Base64("rocket.jpg"), k = 1 }));
                Assert.Equal(["rocket"], HitIds(hits));
            }

            await using var otherModel = await TestService.StartAsync([$"--Retrieval:DataDirectory={data}"]);
            var client = otherModel.RestClient;
            await AssertProblem(await client.PostAsJsonAsync("/v1/collections/kept/search", new { image = Base64("rocket.jpg") }), HttpStatusCode.Conflict, "model_mismatch");
            await AssertProblem(await client.PostAsJsonAsync("/v1/collections/kept/points", new { points = new object[] { new { id = "x", image = Base64("rocket.jpg") } } }), HttpStatusCode.Conflict, "model_mismatch");
            Assert.Equal(["rocket"], HitIds(await Json(await client.PostAsJsonAsync("/v1/collections/kept/search", new { vector = rocket, k = 1 }))));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task AnUnreachableQdrantStopsTheServiceSayingWhere()
    {
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, "--Retrieval:Store=qdrant", "--Retrieval:Qdrant:Url=http://127.0.0.1:9"], waitUntilReady: false);
        var stopping = new TaskCompletionSource();
        service.App.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());

        await stopping.Task.WaitAsync(TimeSpan.FromMinutes(1));

        var failure = service.App.Services.GetRequiredService<VectorStoreHost>().OpenFailure;
        Assert.NotNull(failure);
        Assert.Contains("127.0.0.1:9", failure.ToString());
    }
}
