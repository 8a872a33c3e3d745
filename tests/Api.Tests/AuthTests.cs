using System.Net;
using System.Net.Http.Headers;
using EmbeddingService.Api.Problems;
using EmbeddingService.Api.Security;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Tests;

/// <summary>API keys over REST and gRPC, admin routes, open routes and rate limiting.</summary>
public sealed class AuthTests
{
    private const string UserKey = "user-key-1";
    private const string AdminKey = "admin-key-1";
    private static readonly string[] Keys = [$"--Auth:ApiKeys:0={UserKey}", $"--Auth:AdminKeys:0={AdminKey}"];

    [Fact]
    public async Task KeysAreRequiredWhereConfiguredAndAdminRoutesNeedAnAdminKey()
    {
        await using var service = await TestService.StartAsync([.. Keys, "--Auth:OpenInfo=false", "--Auth:OpenHealth=false"], waitUntilReady: false);
        var client = service.RestClient;

        var (_, anonymous) = await ErrorTests.ProblemAsync(client, "/v1/info", HttpStatusCode.Unauthorized, ApiProblems.Unauthorized);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        await ErrorTests.ProblemAsync(WithBearer(service, "wrong-key"), "/v1/info", HttpStatusCode.Unauthorized, ApiProblems.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);

        var user = WithBearer(service, UserKey);
        await service.WaitUntilReadyAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/v1/info")).StatusCode);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v1/info") { Headers = { { "X-API-Key", UserKey } } })
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        await ErrorTests.ProblemAsync(client, "/v1/admin/ping", HttpStatusCode.Unauthorized, ApiProblems.Unauthorized);
        await ErrorTests.ProblemAsync(user, "/v1/admin/ping", HttpStatusCode.Forbidden, ApiProblems.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await WithBearer(service, AdminKey).GetAsync("/v1/admin/ping")).StatusCode);

        var health = new Health.HealthClient(service.GrpcChannel);
        var refused = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal("unauthorized: An API key is required: 'Authorization: Bearer KEY' or 'X-API-Key: KEY'.", refused.Status.Detail);
        var training = new V1.Training.TrainingClient(service.GrpcChannel);
        var forbidden = await Assert.ThrowsAsync<RpcException>(() => training.ListJobsAsync(new V1.ListJobsRequest(), new Metadata { { "x-api-key", UserKey } }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, forbidden.StatusCode);
        Assert.Equal("forbidden: This operation needs an admin key.", forbidden.Status.Detail);
        var answer = await health.CheckAsync(new HealthCheckRequest(), new Metadata { { "x-api-key", UserKey } });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer.Status);
        answer = await health.CheckAsync(new HealthCheckRequest(), new Metadata { { "authorization", $"Bearer {AdminKey}" } });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer.Status);
    }

    [Fact]
    public async Task WithoutKeysEverythingIsOpenAndHealthStaysOpenByDefault()
    {
        await using (var open = await TestService.StartAsync([], waitUntilReady: false))
            Assert.Equal(HttpStatusCode.NoContent, (await open.RestClient.GetAsync("/v1/admin/ping")).StatusCode);
        await using var keyed = await TestService.StartAsync([.. Keys]);
        Assert.Equal(HttpStatusCode.OK, (await keyed.RestClient.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await keyed.RestClient.GetAsync("/v1/info")).StatusCode);
        var health = new Health.HealthClient(keyed.GrpcChannel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task PlainKeySettingsAreCommaSeparatedListsNotIgnored()
    {
        await using var service = await TestService.StartAsync(["--Auth:ApiKeys=k1, k2", "--Auth:AdminKeys=adm", "--Auth:OpenInfo=false"]);
        await ErrorTests.ProblemAsync(service.RestClient, "/v1/info", HttpStatusCode.Unauthorized, ApiProblems.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await WithBearer(service, "k1").GetAsync("/v1/info")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WithBearer(service, "k2").GetAsync("/v1/info")).StatusCode);
        await ErrorTests.ProblemAsync(WithBearer(service, "k1, k2"), "/v1/info", HttpStatusCode.Unauthorized, ApiProblems.Unauthorized);
        await ErrorTests.ProblemAsync(WithBearer(service, "k2"), "/v1/admin/ping", HttpStatusCode.Forbidden, ApiProblems.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await WithBearer(service, "adm").GetAsync("/v1/admin/ping")).StatusCode);
    }

    [Theory]
    [InlineData("--Auth:ApiKeys=k1,,k2", "Auth:ApiKeys:1")]
    [InlineData("--Auth:AdminKeys=adm,", "Auth:AdminKeys:1")]
    public async Task ABlankKeyInAPlainListIsRefused(string setting, string key)
    {
        await using var app = TestService.Build([setting]);
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(key, error.Message);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    public async Task WithoutKeysOneWarningAtStartSaysTheServiceIsOpen(bool keyed, int warnings)
    {
        var sink = new CollectingSink();
        await using (await TestService.StartAsync(keyed ? Keys : [], configure: builder => builder.Services.AddSingleton<ILogEventSink>(sink), waitUntilReady: false))
        {
        }
        Assert.Equal(warnings, sink.Events.Count(e => e.Level == LogEventLevel.Warning && e.MessageTemplate.Text == OpenAccessWarning.Message));
    }

    [Fact]
    public async Task RateLimitRefusesWithOverloadedAndRetryAfterPerKey()
    {
        await using var service = await TestService.StartAsync([.. Keys, "--Auth:RateLimitPerMinute=2"]);
        var user = WithBearer(service, UserKey);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/v1/info")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/v1/info")).StatusCode);
        var (_, refused) = await ErrorTests.ProblemAsync(user, "/v1/info", HttpStatusCode.TooManyRequests, ApiProblems.Overloaded);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, (await WithBearer(service, AdminKey).GetAsync("/v1/info")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/health/ready")).StatusCode);

        var retrieval = new V1.Retrieval.RetrievalClient(service.GrpcChannel);
        var overloaded = await Assert.ThrowsAsync<RpcException>(() => retrieval.ListCollectionsAsync(new V1.ListCollectionsRequest(), new Metadata { { "x-api-key", UserKey } }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, overloaded.StatusCode);
        Assert.StartsWith($"{ApiProblems.Overloaded}: Rate limit exceeded", overloaded.Status.Detail);
    }

    private static HttpClient WithBearer(TestService service, string key) => new()
    {
        BaseAddress = service.RestClient.BaseAddress,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
    };
}
