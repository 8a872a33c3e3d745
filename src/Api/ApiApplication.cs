using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EmbeddingService.Api;

/// <summary>Builds the web application: configuration, the model host and the routes.</summary>
public static class ApiApplication
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var serving = builder.Configuration.GetSection(ServingOptions.Section).Get<ServingOptions>() ?? new ServingOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = IPAddress.Parse(serving.BindAddress);
            kestrel.Listen(address, serving.RestPort, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            // Without TLS, Http1AndHttp2 silently degrades to HTTP/1.1, which breaks gRPC: its port is HTTP/2 only.
            kestrel.Listen(address, serving.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddOptions<ServingOptions>()
            .Bind(builder.Configuration.GetSection(ServingOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ModelOptions>()
            .Bind(builder.Configuration.GetSection(ModelOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ModelHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelHost>());

        var app = builder.Build();
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" }));
        app.MapGet("/health/ready", (ModelHost host) => host.Model is null ? NotReady() : Results.Ok(new { status = "ready" }));
        app.MapGet("/v1/info", (ModelHost host) => host.Model is { } model ? Results.Ok(ModelInfo.Of(model)) : NotReady());
        return app;
    }

    private static IResult NotReady() => Results.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "The model is not loaded yet",
        extensions: new Dictionary<string, object?> { ["code"] = "not_ready" });
}
