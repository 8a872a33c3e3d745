using EmbeddingService.Api;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddOptions<ModelOptions>().Bind(builder.Configuration.GetSection(ModelOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<ModelHost>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelHost>());

var app = builder.Build();
app.MapGet("/health/live", () => Results.Ok(new { status = "live" }));
app.MapGet("/health/ready", (ModelHost host) => host.Model is null
    ? Results.Problem(statusCode: 503, title: "Model not loaded yet", extensions: new Dictionary<string, object?> { ["code"] = "not_ready" })
    : Results.Ok(new { status = "ready" }));
app.MapGet("/v1/info", (ModelHost host) =>
{
    if (host.Model is not { } model)
        return Results.Problem(statusCode: 503, title: "Model not loaded yet", extensions: new Dictionary<string, object?> { ["code"] = "not_ready" });
    var d = model.Descriptor;
    return Results.Ok(new
    {
        model = d.DisplayName,
        architecture = d.Architecture,
        random_weights = d.IsRandom,
        weights_fingerprint = d.WeightsFingerprint,
        weights_source = d.WeightsSource,
        embed_dim = d.Config.EmbedDim,
        depth = d.Config.Depth,
        heads = d.Config.NumHeads,
        registers = d.Config.NumRegisters,
        patch_size = d.Config.PatchSize,
        device = model.Target.Describe(),
    });
});
app.Run();
