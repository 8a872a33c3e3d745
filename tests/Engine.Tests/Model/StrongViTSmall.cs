using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Tests.Checkpoints;

namespace EmbeddingService.Engine.Tests.Model;

/// <summary>
/// A seeded ViT-S/14 whose blocks count: LayerScale 1.0 instead of the official 1e-5 init, under which random blocks
/// add almost nothing to the residual stream and a wrong linear layer would go unseen. Saved as a checkpoint so
/// tests load it through the production path (<see cref="Inference.ModelLoader"/>).
/// </summary>
internal sealed class StrongViTSmall : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public StrongViTSmall(long seed = 0)
    {
        using var model = new DinoVisionTransformer(VitArchitectures.Get("vits14") with { LayerScaleInit = 1.0 });
        RandomInitializer.Initialize(model, seed);
        Path = System.IO.Path.Combine(_folder.Path, "vits14-ls1.safetensors");
        SafeTensorsWriter.Write(Path, model.state_dict());
    }

    public string Path { get; }

    public void Dispose() => _folder.Dispose();
}
