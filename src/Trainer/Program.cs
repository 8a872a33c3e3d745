using EmbeddingService.Trainer.Hosting;
using Microsoft.Extensions.Options;

WebApplication app;
try
{
    app = TrainerApplication.Build(args);
}
// A bad setting is an operator's mistake, not a crash: one line that names the key, and no stack trace.
catch (OptionsValidationException e)
{
    Console.Error.WriteLine($"Invalid configuration: {e.Message}");
    return 1;
}
await app.RunAsync();
return 0;
