Console.WriteLine(EmbeddingService.Engine.Runtime.Probe.Run());
