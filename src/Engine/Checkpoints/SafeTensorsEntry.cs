using TorchSharp;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>One tensor described by a safetensors header; offsets are relative to the start of the data section.</summary>
internal sealed record SafeTensorsEntry(string Name, torch.ScalarType DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}
