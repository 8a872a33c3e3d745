using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// Listeners and slow-client limits from section "Serving", and a shutdown that lets in-flight work drain. Kestrel and the host read
/// their options while the application is built, so a bad "Serving" value already fails ApiApplication.Build.
/// </summary>
public static class KestrelSetup
{
    /// <summary>Time beyond the drain budget for the host to stop the server and dispose services.</summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddServingEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<ServingEndpoints>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServingOptions>, ServingEndpoints>((kestrel, options, endpoints) =>
        {
            var serving = options.Value;
            var address = IPAddress.Parse(serving.BindAddress);
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(serving.RequestHeadersTimeoutSeconds);
            kestrel.Limits.MinRequestBodyDataRate = serving.MinRequestBodyBytesPerSecond == 0
                ? null
                : new MinDataRate(serving.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(serving.MinRequestBodyGraceSeconds));
            ListenOptions? rest = null, grpc = null;
            // Without TLS, Http1AndHttp2 degrades to HTTP/1.1 (with a warning at every start): REST is HTTP/1.1, and gRPC has
            // its own port, HTTP/2 only (cleartext h2c).
            kestrel.Listen(address, serving.RestPort, listen => (rest = listen).Protocols = HttpProtocols.Http1);
            kestrel.Listen(address, serving.GrpcPort, listen => (grpc = listen).Protocols = HttpProtocols.Http2);
            endpoints.Set(rest!, grpc!);
        });
        services.AddOptions<HostOptions>().Configure<IOptions<ServingOptions>>((host, serving) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(serving.Value.DrainTimeoutSeconds) + ShutdownMargin);
        return services;
    }
}
