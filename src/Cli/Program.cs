using EmbeddingService.Cli;

return EmbedCtl.Run(args);
