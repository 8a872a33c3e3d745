using TorchSharp;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>The safetensors element types this service reads and writes, and their torch equivalents.</summary>
internal static class SafeTensorsDTypes
{
    private static readonly IReadOnlyDictionary<string, torch.ScalarType> ByName = new Dictionary<string, torch.ScalarType>
    {
        ["F32"] = torch.ScalarType.Float32,
        ["F16"] = torch.ScalarType.Float16,
        ["BF16"] = torch.ScalarType.BFloat16,
    };

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryGetScalarType(string name, out torch.ScalarType type) => ByName.TryGetValue(name, out type);

    public static int ElementSize(torch.ScalarType type) => type == torch.ScalarType.Float32 ? 4 : 2;

    public static string? NameOf(torch.ScalarType type) =>
        ByName.Where(pair => pair.Value == type).Select(pair => pair.Key).FirstOrDefault();
}
