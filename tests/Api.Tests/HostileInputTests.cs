using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmbeddingService.Api.Problems;
using EmbeddingService.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using EmbeddingClient = EmbeddingService.Protos.V1.Embedding.EmbeddingClient;
using RetrievalClient = EmbeddingService.Protos.V1.Retrieval.RetrievalClient;

namespace EmbeddingService.Api.Tests;

/// <summary>Input a client should not send: each case is refused with its code, and the service stays healthy after it.</summary>
public sealed class HostileInputTests
{
    private static readonly float[] Unit = [.. Enumerable.Repeat(0f, 95), 1f];

    private static async Task AssertHealthyAsync(TestService service)
    {
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.GetAsync("/health/ready")).StatusCode);
        var search = await service.RestClient.PostAsJsonAsync("/v1/collections/hostile/search", new { vector = Unit, k = 1 });
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
    }

    private static async Task<TestService> StartWithCollectionAsync()
    {
        var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        Assert.Equal(HttpStatusCode.Created, (await service.RestClient.PutAsJsonAsync("/v1/collections/hostile", new { index = "exact" })).StatusCode);
        (await service.RestClient.PostAsJsonAsync("/v1/collections/hostile/points", new { points = new[] { new { id = "a", vector = Unit } } })).EnsureSuccessStatusCode();
        return service;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("\"3\"")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[3]")]
    [InlineData("{}")]
    [InlineData("2.5")]
    public async Task ASearchKThatIsNotAnIntegerIsInvalidArgument(string k)
    {
        await using var service = await StartWithCollectionAsync();
        var vector = JsonSerializer.Serialize(Unit);
        var problem = await ProblemAssert.ExpectAsync(await service.RestClient.PostAsync("/v1/collections/hostile/search", Json($$"""{"vector":{{vector}},"k":{{k}}}""")),
            HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
        Assert.Contains("\"k\"", problem.GetProperty("detail").GetString());
        var batch = await service.RestClient.PostAsync("/v1/collections/hostile/search/batch", Json($$"""{"searches":[{"vector":{{vector}},"k":{{k}}}]}"""));
        await ProblemAssert.ExpectAsync(batch, HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
        await AssertHealthyAsync(service);
    }

    [Theory]
    [InlineData("/v1/embed?polling=mean", "polling")]
    [InlineData("/v1/collections/hostile/search?kk=3", "kk")]
    public async Task UnknownQueryParametersAreRefusedByName(string path, string name)
    {
        await using var service = await StartWithCollectionAsync();
        var content = new ByteArrayContent(EmbedTestData.Good("rocket.jpg"));
        content.Headers.ContentType = new("image/jpeg");
        var problem = await ProblemAssert.ExpectAsync(await service.RestClient.PostAsync(path, content), HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
        Assert.Contains(name, problem.GetProperty("detail").GetString());
        await AssertHealthyAsync(service);
    }

    [Theory]
    [InlineData("/v1/embed", """{"inputs":[{"image":"IMAGE"}],"options":{"polling":"mean"}}""", "polling")]
    [InlineData("/v1/embed", """{"inputs":[{"image":"IMAGE"}],"option":{"pooling":"mean"}}""", "option")]
    [InlineData("/v1/embed", """{"inputs":[{"image":"IMAGE","idd":"x"}]}""", "idd")]
    [InlineData("/v1/collections/hostile/search", """{"image":"IMAGE","filtre":{"kind":"cat"}}""", "filtre")]
    [InlineData("/v1/collections/hostile/points", """{"points":[{"id":"b","image":"IMAGE","paylod":{}}]}""", "paylod")]
    public async Task UnknownJsonFieldsAreRefusedByName(string path, string body, string name)
    {
        await using var service = await StartWithCollectionAsync();
        var image = Convert.ToBase64String(EmbedTestData.Good("rocket.jpg"));
        var problem = await ProblemAssert.ExpectAsync(await service.RestClient.PostAsync(path, Json(body.Replace("IMAGE", image))), HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
        Assert.Contains(name, problem.GetProperty("detail").GetString());
        await AssertHealthyAsync(service);
    }

    [Fact]
    public async Task AnUnknownMemberOfACollectionIsRefusedByName()
    {
        await using var service = await StartWithCollectionAsync();
        var problem = await ProblemAssert.ExpectAsync(await service.RestClient.PutAsync("/v1/collections/other", Json("""{"polling":"mean"}""")), HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
        Assert.Contains("polling", problem.GetProperty("detail").GetString());
        await AssertHealthyAsync(service);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("7")]
    [InlineData("Exact ")]
    public async Task AnIndexKindIsReadByNameNeverByNumber(string index)
    {
        await using var service = await StartWithCollectionAsync();
        var problem = await ProblemAssert.ExpectAsync(await service.RestClient.PutAsJsonAsync("/v1/collections/numbered", new { index }), HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
        Assert.Contains("auto, exact or hnsw", problem.GetProperty("detail").GetString());
        await AssertHealthyAsync(service);
    }

    [Fact]
    public async Task WholeBodyErrorsCarryNoIndex()
    {
        await using var service = await StartWithCollectionAsync();
        var problem = await ProblemAssert.ExpectAsync(await service.RestClient.PostAsync("/v1/collections/hostile/points", Json("{\"points\":[{\"id\":\"b\",\"vector\":[1,")),
            HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
        Assert.False(problem.TryGetProperty("index", out _));
        await AssertHealthyAsync(service);
    }

    [Fact]
    public async Task MultipartOverThePartLimitIsTooManyImagesLikeJson()
    {
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, "--Serving:MaxImagesPerRequest=2"]);
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 40; i++) form.Add(new ByteArrayContent([1, 2, 3]), "image", $"i{i}.jpg");
        await ProblemAssert.ExpectAsync(await service.RestClient.PostAsync("/v1/embed", form), HttpStatusCode.RequestEntityTooLarge, ApiProblems.TooManyImages);
        Assert.Equal(HttpStatusCode.Created, (await service.RestClient.PutAsJsonAsync("/v1/collections/hostile", new { index = "exact" })).StatusCode);
        using var points = new MultipartFormDataContent();
        for (var i = 0; i < 40; i++) points.Add(new ByteArrayContent([1, 2, 3]), "image", $"i{i}.jpg");
        await ProblemAssert.ExpectAsync(await service.RestClient.PostAsync("/v1/collections/hostile/points", points), HttpStatusCode.RequestEntityTooLarge, ApiProblems.TooManyImages);
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task TooManyPointsAndTooManySearchesHaveTheirOwnCodes()
    {
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, "--Retrieval:MaxPointsPerRequest=2", "--Retrieval:MaxSearchesPerRequest=2"]);
        Assert.Equal(HttpStatusCode.Created, (await service.RestClient.PutAsJsonAsync("/v1/collections/hostile", new { index = "exact" })).StatusCode);
        var points = Enumerable.Range(0, 3).Select(i => new { id = $"p{i}", vector = Unit }).ToArray();
        var tooManyPoints = await ProblemAssert.ExpectAsync(await service.RestClient.PostAsJsonAsync("/v1/collections/hostile/points", new { points }),
            HttpStatusCode.RequestEntityTooLarge, ApiProblems.TooManyPoints);
        Assert.False(tooManyPoints.TryGetProperty("index", out _));
        var searches = Enumerable.Range(0, 3).Select(_ => new { vector = Unit }).ToArray();
        await ProblemAssert.ExpectAsync(await service.RestClient.PostAsJsonAsync("/v1/collections/hostile/search/batch", new { searches }),
            HttpStatusCode.RequestEntityTooLarge, ApiProblems.TooManySearches);

        var grpc = new RetrievalClient(service.GrpcChannel);
        var batch = new SearchBatchRequest { Collection = "hostile" };
        var upsert = new UpsertRequest { Collection = "hostile" };
        for (var i = 0; i < 3; i++)
        {
            var vector = new Vector();
            vector.Values.AddRange(Unit);
            batch.Queries.Add(new Query { Vector = vector, K = 1 });
            upsert.Points.Add(new PointInput { Id = $"g{i}", Vector = vector });
        }
        var searchError = await Assert.ThrowsAsync<RpcException>(() => grpc.SearchBatchAsync(batch).ResponseAsync);
        Assert.StartsWith(ApiProblems.TooManySearches, searchError.Status.Detail);
        var upsertError = await Assert.ThrowsAsync<RpcException>(() => grpc.UpsertAsync(upsert).ResponseAsync);
        Assert.StartsWith(ApiProblems.TooManyPoints, upsertError.Status.Detail);
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task OutOfRangeGrpcEnumsAreInvalidArgumentNotADefault()
    {
        await using var service = await StartWithCollectionAsync();
        var embedding = new EmbeddingClient(service.GrpcChannel);
        var request = new EmbedRequest { Options = new EmbedOptions { Pooling = (Pooling)42 } };
        request.Images.Add(new ImageInput { Image = Google.Protobuf.ByteString.CopyFrom(EmbedTestData.Good("rocket.jpg")) });
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => embedding.EmbedAsync(request).ResponseAsync)).StatusCode);
        request.Options = new EmbedOptions { Policy = (ResizePolicy)7 };
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => embedding.EmbedAsync(request).ResponseAsync)).StatusCode);
        var retrieval = new RetrievalClient(service.GrpcChannel);
        var create = new CreateCollectionRequest { Name = "enum", Index = (IndexKind)9 };
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => retrieval.CreateCollectionAsync(create).ResponseAsync)).StatusCode);
        await AssertHealthyAsync(service);
    }

    [Fact]
    public async Task AGrpcFilterValueWithoutAKindIsInvalidArgument()
    {
        await using var service = await StartWithCollectionAsync();
        var client = new RetrievalClient(service.GrpcChannel);
        var query = new Query { Vector = new Vector(), K = 1 };
        query.Vector.Values.AddRange(Unit);
        var match = new FieldMatch { Key = "kind" };
        match.AnyOf.Add(new Value());
        query.Filter.Add(match);
        var error = await Assert.ThrowsAsync<RpcException>(() => client.SearchAsync(new SearchRequest { Collection = "hostile", Query = query }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        await AssertHealthyAsync(service);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public async Task NonFiniteGrpcPayloadNumbersAreRefused(double number)
    {
        await using var service = await StartWithCollectionAsync();
        var client = new RetrievalClient(service.GrpcChannel);
        var point = new PointInput { Id = "nan", Vector = new Vector(), Payload = new Struct() };
        point.Vector.Values.AddRange(Unit);
        point.Payload.Fields["score"] = Value.ForNumber(number);
        var upsert = new UpsertRequest { Collection = "hostile" };
        upsert.Points.Add(point);
        var error = await Assert.ThrowsAsync<RpcException>(() => client.UpsertAsync(upsert).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.RestClient.GetAsync("/v1/collections/hostile/points/nan")).StatusCode);
        await AssertHealthyAsync(service);
    }
}
