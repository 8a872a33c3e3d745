using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

WebApplication app;
try
{
    app = ApiApplication.Build(args);
    // Checked before the host starts, which would log a refused setting as its own failure, with a stack trace.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    app.Services.GetRequiredService<IOptions<ModelOptions>>().Value.LoadRequest();
}
// A bad setting is an operator's mistake, not a crash: one line that names the key, and no stack trace.
catch (OptionsValidationException e)
{
    Console.Error.WriteLine($"Invalid configuration: {e.Message}");
    return 1;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"Invalid configuration: {ModelOptions.Section}: {e.Message}");
    return 1;
}
var runtime = app.Services.GetRequiredService<EmbeddingRuntime>();
await using (app)
{
    try
    {
        await app.StartAsync();
    }
    // What only starting shows (a port in use, a data directory another instance holds) is reported the same way.
    catch (Exception e) when (StartupRefusal.Describe(e, app.Services) is { } problem)
    {
        Console.Error.WriteLine($"Invalid configuration: {problem}");
        return 1;
    }
    await app.WaitForShutdownAsync();
}
// SIGTERM is a normal stop (0); a model that never loaded is not.
return runtime.LoadFailure is null ? 0 : 1;
