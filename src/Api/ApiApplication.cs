namespace EmbeddingService.Api;

/// <summary>Builds the web application: configuration, the model host and the routes.</summary>
public static class ApiApplication
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
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
