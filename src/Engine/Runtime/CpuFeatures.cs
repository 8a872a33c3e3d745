namespace EmbeddingService.Engine.Runtime;

/// <summary>What the host CPU offers, from the flags of /proc/cpuinfo (Linux; elsewhere nothing is reported).</summary>
public static class CpuFeatures
{
    private static readonly Lazy<HashSet<string>> Flags = new(ReadFlags);

    /// <summary>Native bfloat16 arithmetic (AVX512_BF16 or AMX-BF16), which oneDNN's bf16 kernels need to be fast.</summary>
    public static bool HasBf16 => Flags.Value.Contains("avx512_bf16") || Flags.Value.Contains("amx_bf16");

    private static HashSet<string> ReadFlags()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!File.Exists(cpuinfo)) return [];
        var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return line is null ? [] : [.. line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }
}
