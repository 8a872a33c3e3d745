using EmbeddingService.Api;
using Microsoft.Extensions.DependencyInjection;

var app = ApiApplication.Build(args);
app.Run();
// SIGTERM is a normal stop (0); a model that never loaded is not.
return app.Services.GetRequiredService<ModelHost>().LoadFailure is null ? 0 : 1;
