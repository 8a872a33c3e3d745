using System.Net;
using EmbeddingService.Api.Hosting;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddingService.Api.Tests;

/// <summary>
/// The service on a real Kestrel bound to 127.0.0.1 with ephemeral REST and gRPC ports, serving random vits14
/// weights on the CPU unless the settings say otherwise.
/// </summary>
public sealed class TestService : IAsyncDisposable
{
    public static readonly string[] LoopbackEphemeralPorts = ["--Serving:BindAddress=127.0.0.1", "--Serving:RestPort=0", "--Serving:GrpcPort=0"];
    private static readonly string[] RandomVits14 = ["--Model:Weights=random:0", "--Model:Architecture=vits14", "--Model:Device=cpu"];

    /// <summary>No trainer worker unless a test asks for one (--Training:Enabled=true, see TrainingApi): it would start one on the default ports.</summary>
    public static readonly string[] NoTrainer = ["--Training:Enabled=false"];

    private readonly string? _ownDataDirectory;

    private TestService(WebApplication app, Uri restAddress, Uri grpcAddress, string? ownDataDirectory)
    {
        _ownDataDirectory = ownDataDirectory;
        App = app;
        RestClient = new HttpClient { BaseAddress = restAddress };
        GrpcAddress = grpcAddress;
        GrpcChannel = GrpcChannel.ForAddress(grpcAddress);
    }

    public WebApplication App { get; }

    /// <summary>HTTP/1.1 client of the REST port.</summary>
    public HttpClient RestClient { get; }

    public Uri GrpcAddress { get; }

    /// <summary>Cleartext HTTP/2 channel to the gRPC port.</summary>
    public GrpcChannel GrpcChannel { get; }

    /// <summary>Builds the application with the default model settings overridden by <paramref name="settings"/>.</summary>
    public static WebApplication Build(string[] settings, Action<WebApplicationBuilder>? configure = null) =>
        ApiApplication.Build([.. LoopbackEphemeralPorts, .. RandomVits14, .. NoTrainer, .. settings], configure);

    /// <summary>A new empty directory for a vector store that outlives one service (delete it when done).</summary>
    public static string NewDataDirectory() => Directory.CreateTempSubdirectory("embedding-service-test-").FullName;

    /// <summary>
    /// Starts the service and, unless told not to, waits until it is ready. Its vector store lives in a directory
    /// of its own, deleted on dispose, unless the settings name one (--Retrieval:DataDirectory=...).
    /// </summary>
    public static async Task<TestService> StartAsync(string[] settings, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null, bool waitUntilReady = true)
    {
        var ownDataDirectory = settings.Any(s => s.StartsWith("--Retrieval:DataDirectory=", StringComparison.Ordinal)) ? null : NewDataDirectory();
        var app = Build(ownDataDirectory is null ? settings : [$"--Retrieval:DataDirectory={ownDataDirectory}", .. settings], configure);
        map?.Invoke(app);
        await app.StartAsync();
        var ports = app.Services.GetRequiredService<ServingEndpoints>();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        Assert.Equal(2, addresses.Count);
        var service = new TestService(app, addresses.Single(a => a.Port == ports.RestPort), addresses.Single(a => a.Port == ports.GrpcPort), ownDataDirectory);
        if (waitUntilReady) await service.WaitUntilReadyAsync();
        return service;
    }

    /// <summary>Polls /health/ready through <paramref name="client"/> (default <see cref="RestClient"/>) until it answers 200.</summary>
    public async Task WaitUntilReadyAsync(HttpClient? client = null)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await (client ?? RestClient).GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the service did not become ready");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        GrpcChannel.Dispose();
        RestClient.Dispose();
        await App.DisposeAsync();
        if (_ownDataDirectory is not null) Directory.Delete(_ownDataDirectory, recursive: true);
    }
}
