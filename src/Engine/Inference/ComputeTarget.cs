using System.Globalization;
using EmbeddingService.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Inference;

/// <summary>
/// The device and dtype a model runs on, resolved from configuration ("auto", "cpu", "cuda", "cuda:N"). fp16 needs CUDA;
/// bf16 runs on CUDA and on CPUs with native bfloat16 (opt-in: fp32 stays the default).
/// </summary>
public sealed record ComputeTarget(Device Device, Precision Precision)
{
    public ScalarType DType => Precision switch
    {
        Precision.Fp16 => ScalarType.Float16,
        Precision.Bf16 => ScalarType.BFloat16,
        _ => ScalarType.Float32,
    };

    public string Describe() => $"{Device} {Precision.ToString().ToLowerInvariant()}";

    public static ComputeTarget Resolve(string device, string precision)
    {
        TorchRuntime.EnsureInitialized();
        var resolved = ResolveDevice(device);
        var parsed = ParsePrecision(precision);
        if (resolved.type != DeviceType.CUDA)
        {
            if (parsed == Precision.Fp16)
                throw new ArgumentException($"precision '{precision}' needs a CUDA device; {resolved} runs fp32, or bf16 where the CPU has it");
            if (parsed == Precision.Bf16 && !CpuFeatures.HasBf16)
                throw new ArgumentException($"precision '{precision}' on {resolved} needs a CPU with bfloat16 arithmetic (avx512_bf16 or amx_bf16); this one runs fp32 only");
        }
        return new ComputeTarget(resolved, parsed);
    }

    public static Precision ParsePrecision(string precision) => precision.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => Precision.Fp32,
        "fp16" or "float16" or "half" => Precision.Fp16,
        "bf16" or "bfloat16" => Precision.Bf16,
        _ => throw new ArgumentException($"unknown precision '{precision}'; expected fp32, fp16 or bf16"),
    };

    /// <summary>Whether <paramref name="device"/> is a name <see cref="Resolve"/> reads, whether or not this machine has that device.</summary>
    public static bool IsDeviceName(string? device) =>
        Normalized(device) is "auto" or "cpu" || IsCudaName(Normalized(device), out _);

    private static string Normalized(string? device) => device?.Trim().ToLowerInvariant() ?? "";

    /// <summary>"cuda" (device 0) or "cuda:N".</summary>
    private static bool IsCudaName(string name, out int index)
    {
        index = 0;
        return name == "cuda" || (name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name[5..], NumberStyles.None, CultureInfo.InvariantCulture, out index));
    }

    private static Device ResolveDevice(string device)
    {
        var name = Normalized(device);
        if (name == "auto") return cuda.is_available() ? CUDA : CPU;
        if (name == "cpu") return CPU;
        if (name == "cuda" || name.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new ArgumentException($"device '{device}' requested but CUDA is not available (built with -p:TorchBackend=cpu, or no GPU is visible)");
            if (!IsCudaName(name, out var index)) throw new ArgumentException($"bad CUDA device '{device}'");
            if (index >= cuda.device_count())
                throw new ArgumentException($"device '{device}' requested but only {cuda.device_count()} CUDA device(s) are visible");
            return new Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{device}'; expected auto, cpu, cuda or cuda:N");
    }
}
