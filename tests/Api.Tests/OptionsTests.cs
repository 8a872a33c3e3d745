using EmbeddingService.Api.Hosting;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Tests;

/// <summary>A bad setting stops start-up with a message naming its key.</summary>
public sealed class OptionsTests
{
    [Theory]
    [InlineData("--Serving:MaxBatchImages=0", "Serving:MaxBatchImages")]
    [InlineData("--Serving:Resolution=225", "Serving:Resolution")]
    [InlineData("--Serving:Policy=stretch", "Serving:Policy")]
    [InlineData("--Serving:Policy=1", "Serving:Policy")]
    [InlineData("--Serving:Policy=KeepAspect", "Serving:Policy")]
    [InlineData("--Serving:BatchLayout=0", "Serving:BatchLayout")]
    [InlineData("--Serving:RestPort=abc", "Serving:RestPort")]
    [InlineData("--Serving:BindAddress=localhost", "Serving:BindAddress")]
    [InlineData("--Serving:MaxRequestTokens=100", "Serving:MaxRequestTokens")]
    [InlineData("--Serving:MaxBatchSeconds=0", "Serving:MaxBatchSeconds")]
    [InlineData("--Serving:Resolution=532", "Serving:Resolution")]
    [InlineData("--Auth:ApiKeys:0= ", "Auth:ApiKeys:0")]
    [InlineData("--Auth:AdminKeys:0=", "Auth:AdminKeys:0")]
    [InlineData("--Telemetry:OtlpEndpoint=collector:4317", "Telemetry:OtlpEndpoint")]
    [InlineData("--Model:Heads=0", "Model:Heads")]
    [InlineData("--Retrieval:Store=redis", "Retrieval:Store")]
    [InlineData("--Retrieval:MaxK=0", "Retrieval:MaxK")]
    [InlineData("--Retrieval:Store=qdrant", "Retrieval:Qdrant:Url")]
    [InlineData("--Retrieval:SearchThreads=-1", "Retrieval:SearchThreads")]
    [InlineData("--Retrieval:GraphSaveAfterChanges=0", "Retrieval:GraphSaveAfterChanges")]
    [InlineData("--Retrieval:GraphSaveIdleSeconds=0", "Retrieval:GraphSaveIdleSeconds")]
    public async Task BadValueStopsStartUpNamingTheKey(string setting, string key)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(() => TestService.Build([setting])));
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void EnumSettingsAreBoundFromTheirDocumentedNames()
    {
        using var app = TestService.Build(["--Serving:Policy=keep-aspect", "--Serving:BatchLayout=padded"]);
        var serving = app.Services.GetRequiredService<IOptions<ServingOptions>>().Value;
        Assert.Equal(ResizePolicy.KeepAspect, serving.Policy);
        Assert.Equal(BatchLayout.Padded, serving.BatchLayout);
    }

    [Fact]
    public async Task RestAndGrpcPortsMustDiffer()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            StartAsync(() => ApiApplication.Build(["--Serving:BindAddress=127.0.0.1", "--Serving:RestPort=18090", "--Serving:GrpcPort=18090"])));
        Assert.Contains("Serving:GrpcPort", error.Message);
    }

    /// <summary>Start-up is build then start: Kestrel's listeners need "Serving" while the application is built.</summary>
    private static async Task StartAsync(Func<WebApplication> build)
    {
        await using var app = build();
        await app.StartAsync();
    }

    [Fact]
    public void ShutdownWaitsForTheDrainTimeoutPlusAMargin()
    {
        using var app = TestService.Build(["--Serving:DrainTimeoutSeconds=12"]);
        var host = app.Services.GetRequiredService<IOptions<HostOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(12) + KestrelSetup.ShutdownMargin, host.ShutdownTimeout);
    }
}
