using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using Microsoft.Extensions.DependencyInjection;

var app = ApiApplication.Build(args);
var model = app.Services.GetRequiredService<ModelHost>();
app.Run();
// SIGTERM is a normal stop (0); a model that never loaded is not.
return model.LoadFailure is null ? 0 : 1;
