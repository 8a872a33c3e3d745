using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddingService.Api.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EmbeddingService.Api.Tests;

/// <summary>Every error is application/problem+json with a stable code.</summary>
public sealed class ErrorTests
{
    private const string Secret = "secret internal detail";

    [Fact]
    public async Task ErrorsAreProblemsWithStableCodes()
    {
        await using var service = await TestService.StartAsync([], map: app =>
        {
            app.MapGet("/test/throw", string () => throw new InvalidOperationException(Secret));
            app.MapGet("/test/overloaded", () => ApiProblems.Result(ApiProblems.Overloaded, "queue full", retryAfter: TimeSpan.FromSeconds(2.5)));
            app.MapGet("/test/bad-image", () => ApiProblems.Result(ApiProblems.ImageDecodeFailed, "not an image", index: 3));
        }, waitUntilReady: false);
        var client = service.RestClient;

        var (notFound, _) = await ProblemAsync(client, "/no/such/route", HttpStatusCode.NotFound, ApiProblems.NotFound);
        Assert.Equal(404, notFound.GetProperty("status").GetInt32());

        var (failure, _) = await ProblemAsync(client, "/test/throw", HttpStatusCode.InternalServerError, ApiProblems.Internal);
        Assert.DoesNotContain(Secret, failure.GetRawText());
        Assert.False(string.IsNullOrEmpty(failure.GetProperty("traceId").GetString()));
        Assert.DoesNotContain(" at ", failure.GetRawText());

        var (_, overloaded) = await ProblemAsync(client, "/test/overloaded", HttpStatusCode.TooManyRequests, ApiProblems.Overloaded);
        Assert.Equal(TimeSpan.FromSeconds(3), overloaded.Headers.RetryAfter?.Delta);

        var (badImage, _) = await ProblemAsync(client, "/test/bad-image", HttpStatusCode.UnprocessableEntity, ApiProblems.ImageDecodeFailed);
        Assert.Equal(3, badImage.GetProperty("index").GetInt32());
        Assert.Equal("not an image", badImage.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(ApiProblems.InvalidArgument, 400)]
    [InlineData(ApiProblems.UnsupportedMediaType, 415)]
    [InlineData(ApiProblems.ImageDecodeFailed, 422)]
    [InlineData(ApiProblems.ImageTooLarge, 413)]
    [InlineData(ApiProblems.PayloadTooLarge, 413)]
    [InlineData(ApiProblems.TooManyImages, 413)]
    [InlineData(ApiProblems.Overloaded, 429)]
    [InlineData(ApiProblems.DeadlineExceeded, 504)]
    [InlineData(ApiProblems.Unauthorized, 401)]
    [InlineData(ApiProblems.Forbidden, 403)]
    [InlineData(ApiProblems.NotReady, 503)]
    [InlineData(ApiProblems.NotFound, 404)]
    public void EachCodeHasItsStatus(string code, int status) => Assert.Equal(status, ApiProblems.StatusOf(code));

    [Fact]
    public async Task RestRoutesAreNotServedOnTheGrpcPort()
    {
        await using var service = await TestService.StartAsync([], waitUntilReady: false);
        using var h2c = new HttpClient { BaseAddress = service.GrpcAddress, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        Assert.Equal(HttpStatusCode.NotFound, (await h2c.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.GetAsync("/health/live")).StatusCode);
    }

    internal static async Task<(JsonElement Problem, HttpResponseMessage Response)> ProblemAsync(HttpClient client, string path, HttpStatusCode status, string code)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return (problem, response);
    }
}
