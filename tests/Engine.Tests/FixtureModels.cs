using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Engine.Tests;

/// <summary>The parity fixture models, loaded through the production path (checkpoint loader, CPU, fp32).</summary>
internal static class FixtureModels
{
    public static LoadedModel Load(string model, string format = "pth") =>
        ModelLoader.Load(new ModelLoadRequest { Weights = Fixtures.Parity(model, $"weights.{format}"), Device = "cpu" });
}
