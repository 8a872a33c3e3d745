namespace EmbeddingService.Engine.Checkpoints;

/// <summary>How the tensors of a checkpoint are stored on disk.</summary>
public enum CheckpointFormat
{
    /// <summary>A zip archive written by torch.save (PyTorch 1.6 and later), usually .pth or .pt.</summary>
    TorchZip,

    /// <summary>A single .safetensors file.</summary>
    SafeTensors,

    /// <summary>A Hugging Face model folder: config.json next to model.safetensors.</summary>
    HuggingFaceFolder,
}
