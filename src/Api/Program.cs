using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using Microsoft.Extensions.DependencyInjection;

var app = ApiApplication.Build(args);
var runtime = app.Services.GetRequiredService<EmbeddingRuntime>();
app.Run();
// SIGTERM is a normal stop (0); a model that never loaded is not.
return runtime.LoadFailure is null ? 0 : 1;
