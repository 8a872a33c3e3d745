EmbeddingService.Api.ApiApplication.Build(args).Run();
