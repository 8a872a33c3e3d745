using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting.OpenApi;
using EmbeddingService.Api.Problems;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EmbeddingService.Api.Tests;

/// <summary>The OpenAPI document at /openapi/v1.json and the reference at /docs: every route, as the service really answers it.</summary>
public sealed class OpenApiTests
{
    private static readonly string[] Tags = [ServiceDocument.Embedding, ServiceDocument.Collections, ServiceDocument.Admin, ServiceDocument.Service];
    private static readonly string[] Methods = ["get", "put", "post", "delete"];

    [Fact]
    public async Task EveryRouteIsDocumentedWithItsNameTagSecurityAndProblemResponses()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel, waitUntilReady: false);
        var document = await DocumentAsync(service.RestClient);
        var paths = document.GetProperty("paths");

        var routes = RestRoutes(service).ToList();
        Assert.Contains(("/health/ready", "get"), routes);
        Assert.Contains(("/v1/collections/{name}/search/batch", "post"), routes);
        foreach (var (path, method) in routes)
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} is not in the document");
        }
        var operations = Operations(document).ToList();
        Assert.Equal(routes.Count, operations.Count);
        Assert.Equal(operations.Count, operations.Select(o => o.Operation.GetProperty("operationId").GetString()).Distinct().Count());
        foreach (var (path, method, operation) in operations)
        {
            var name = $"{method} {path}";
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), name);
            Assert.Contains(operation.GetProperty("tags").EnumerateArray().Single().GetString(), Tags);
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
            {
                var problem = response.Value.GetProperty("content").GetProperty(ProblemResponses.MediaType);
                var codes = problem.GetProperty("schema").GetProperty("allOf")[1].GetProperty("properties").GetProperty("code").GetProperty("enum")
                    .EnumerateArray().Select(c => c.GetString()!).ToList();
                Assert.NotEmpty(codes);
                Assert.All(codes, code => Assert.Equal(int.Parse(response.Name), ApiProblems.StatusOf(code)));
                Assert.All(codes, code => Assert.Contains(code, response.Value.GetProperty("description").GetString()));
            }
        }

        // With keys configured every route needs one, the admin routes an admin key; probes, metrics and info stay open by default.
        var open = new[] { "/health/live", "/health/ready", "/metrics", "/v1/info" };
        foreach (var (path, method, operation) in operations)
        {
            var roles = path.StartsWith("/v1/admin/", StringComparison.Ordinal) ? new[] { "admin" } : [];
            if (open.Contains(path))
            {
                Assert.False(operation.TryGetProperty("security", out _), $"{method} {path}");
                continue;
            }
            var security = operation.GetProperty("security").EnumerateArray().Select(r => r.EnumerateObject().Single()).ToList();
            Assert.Equal([ApiKeySecurity.HeaderScheme, ApiKeySecurity.BearerScheme], security.Select(s => s.Name));
            Assert.All(security, s => Assert.Equal(roles, s.Value.EnumerateArray().Select(r => r.GetString())));
            Assert.Contains("401", operation.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        }
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("header", schemes.GetProperty(ApiKeySecurity.HeaderScheme).GetProperty("in").GetString());
        Assert.Equal("X-API-Key", schemes.GetProperty(ApiKeySecurity.HeaderScheme).GetProperty("name").GetString());
        Assert.Equal("bearer", schemes.GetProperty(ApiKeySecurity.BearerScheme).GetProperty("scheme").GetString());
        Assert.Equal("Admin", paths.GetProperty("/v1/admin/ping").GetProperty("get").GetProperty("tags")[0].GetString());
        Assert.Equal("Service", paths.GetProperty("/v1/info").GetProperty("get").GetProperty("tags")[0].GetString());
    }

    [Fact]
    public async Task RequestBodiesHaveASchemaPerContentTypeAndJsonExamples()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel, waitUntilReady: false);
        var document = await DocumentAsync(service.RestClient);
        var bodies = Operations(document).Where(o => o.Operation.TryGetProperty("requestBody", out _))
            .ToDictionary(o => o.Operation.GetProperty("operationId").GetString()!, o => o.Operation.GetProperty("requestBody").GetProperty("content"));

        Assert.Equal(["BatchSearch", "CreateCollection", "Embed", "Search", "SubmitJob", "UpsertPoints"], bodies.Keys.Order());
        Assert.Equal(["application/json", "application/octet-stream", "image/*", "multipart/form-data"], bodies["Embed"].EnumerateObject().Select(c => c.Name).Order());
        Assert.Equal(["application/json", "multipart/form-data"], bodies["UpsertPoints"].EnumerateObject().Select(c => c.Name).Order());
        Assert.Equal(["application/json", "application/octet-stream", "image/*"], bodies["Search"].EnumerateObject().Select(c => c.Name).Order());
        foreach (var content in bodies.Values.SelectMany(b => b.EnumerateObject()))
        {
            Assert.True(content.Value.TryGetProperty("schema", out _), content.Name);
            if (content.Name == "application/json") Assert.NotEmpty(content.Value.GetProperty("examples").EnumerateObject());
        }

        // The documented query options of /v1/embed are exactly those the service reads.
        var embed = document.GetProperty("paths").GetProperty("/v1/embed").GetProperty("post");
        var query = embed.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString());
        Assert.Equal(EmbedOptionsParser.Names.Order(), query.Order());
        var ok = embed.GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.Equal("#/components/schemas/EmbedResponse", ok.GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(ok.TryGetProperty(EmbedEndpoint.NpyMediaType, out _));
    }

    [Fact]
    public async Task EveryRequestExampleIsAcceptedByTheService()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var document = await DocumentAsync(service.RestClient);
        var operations = Operations(document).ToDictionary(o => o.Operation.GetProperty("operationId").GetString()!);
        var sent = 0;
        // In the order a user would: the collection, its points, then the searches (one by the example point's id).
        foreach (var id in new[] { "CreateCollection", "UpsertPoints", "Search", "BatchSearch", "Embed" })
        {
            var (path, method, operation) = operations[id];
            var examples = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");
            foreach (var example in examples.EnumerateObject())
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{name}", "examples"))
                {
                    Content = new StringContent(example.Value.GetProperty("value").GetRawText(), Encoding.UTF8, "application/json"),
                };
                var response = await service.RestClient.SendAsync(request);
                Assert.True(response.IsSuccessStatusCode, $"{id} example '{example.Name}': {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                sent++;
            }
        }
        Assert.True(sent >= 6, $"only {sent} examples");
    }

    [Fact]
    public async Task EveryRouteWithABodyRefusesAnUndocumentedContentTypeWith415()
    {
        // Request bodies are documented by transformers, not by .Accepts: the handlers, not the router, answer a
        // Content-Type they do not read, with 415 unsupported_media_type (the router would answer 404).
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var document = await DocumentAsync(service.RestClient);
        Assert.Equal(HttpStatusCode.Created, (await service.RestClient.PutAsync("/v1/collections/plain", null)).StatusCode);
        foreach (var (path, method, _) in Operations(document).Where(o => o.Operation.TryGetProperty("requestBody", out _)))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{name}", "plain")) { Content = new StringContent("hello", Encoding.UTF8, "text/plain") };
            var response = await service.RestClient.SendAsync(request);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
            Assert.Equal(ApiProblems.UnsupportedMediaType, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task ClosedInfoAndProbesAreDocumentedAsNeedingAKey()
    {
        await using var service = await TestService.StartAsync(
            [.. EmbedTestData.TinyModel, "--Auth:ApiKeys:0=k1", "--Auth:OpenInfo=false", "--Auth:OpenHealth=false"], waitUntilReady: false);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.RestClient.GetAsync("/openapi/v1.json")).StatusCode);
        service.RestClient.DefaultRequestHeaders.Add("X-API-Key", "k1");
        var operations = Operations(await DocumentAsync(service.RestClient)).ToDictionary(o => o.Operation.GetProperty("operationId").GetString()!, o => o.Operation);
        Assert.True(operations["GetInfo"].TryGetProperty("security", out _));
        Assert.True(operations["Ready"].TryGetProperty("security", out _));
        Assert.True(operations["Ready"].GetProperty("responses").TryGetProperty("401", out _));
        Assert.False(operations["Metrics"].TryGetProperty("security", out _));
    }

    [Fact]
    public void EveryProblemCodeSaysWhatItMeans()
    {
        var codes = typeof(ApiProblems).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetValue(null)!)
            .Where(code => code != ApiProblems.NotComputed);
        Assert.Equal(codes.Order(), ProblemResponses.Meanings.Keys.Order());
    }

    [Fact]
    public async Task DocsServeTheReferenceOfTheDocument()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel, waitUntilReady: false);
        var docs = await service.RestClient.GetAsync(OpenApiSetup.DocsPath);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
        var page = await docs.Content.ReadAsStringAsync();
        Assert.Contains("<title>EmbeddingService API</title>", page);
        Assert.Contains("\"url\":\"openapi/v1.json\"", page);
    }

    private static async Task<JsonElement> DocumentAsync(HttpClient client)
    {
        var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name)).Select(m => (path.Name, m.Name, m.Value)));

    /// <summary>
    /// The REST routes the service maps (not gRPC's services nor its catch-all for unknown ones, not the document and its
    /// reference), as (path, method); a route for any method is documented as a GET.
    /// </summary>
    private static IEnumerable<(string Path, string Method)> RestRoutes(TestService service) =>
        ((IEndpointRouteBuilder)service.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<GrpcMethodMetadata>() is null && !e.RoutePattern.RawText!.Contains(":grpcunimplemented}", StringComparison.Ordinal))
            // A catch-all parameter ({**path}) is a plain path parameter in OpenAPI.
            .Select(e => (Path: "/" + e.RoutePattern.RawText!.TrimStart('/').Replace("{**", "{", StringComparison.Ordinal), e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]))
            .Where(e => !e.Path.StartsWith("/openapi/", StringComparison.Ordinal) && !e.Path.StartsWith(OpenApiSetup.DocsPath, StringComparison.Ordinal))
            .SelectMany(e => e.Item2.Select(m => (e.Path.TrimEnd('/') is { Length: > 0 } p ? p : "/", m.ToLowerInvariant())));
}
