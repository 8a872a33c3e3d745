using EmbeddingService.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Runtime;

/// <summary>
/// libtorch's oneDNN fp32 linear (aten::mkldnn_linear). libtorch's own CPU linear calls MKL's sgemm, which on AMD
/// CPUs takes its AVX2 path; oneDNN's kernels use AVX-512 there. On the 2-core AMD EPYC (AVX-512) the ViT-S linear
/// shapes ([257 or 2056 tokens] × 384 → 384, 1152, 1536 and back) ran at 60–80 GFLOP/s through MKL and 100–155
/// through oneDNN (one thread, CPU time, alternated). TorchSharp binds neither mkldnn_linear nor the mkldnn tensor
/// layout, so one TorchScript function, compiled once per process, makes the call.
/// <para>
/// The same machine showed why <see cref="AgreesWithLibTorch"/> exists: libtorch 2.10's oneDNN (3.7.1, brgemm
/// avx512_core) returned wrong columns for output widths that are not a multiple of 32 (48, 96, 144, 1000), and with
/// two threads also for some multiples (64, 128, 256) — while 192, 384, 1152, 1536 and 2304 were right at every
/// token count tried (1 to 2056). So a model uses oneDNN only after its own shapes were checked against libtorch.
/// </para>
/// </summary>
public static class OneDnn
{
    // The dense → mkldnn → dense reorders are copies of the activations, a few percent of the GEMM's time.
    private const string Script = """
        def linear(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
            return torch.mkldnn_linear(x.to_mkldnn(), weight, bias).to_dense()

        def linear_no_bias(x: Tensor, weight: Tensor) -> Tensor:
            return torch.mkldnn_linear(x.to_mkldnn(), weight, None).to_dense()

        """;

    // Token counts of the check: a single token, odd tails, one 224² ViT/14 image, a few of them, and packed batches up to
    // the service's default token budget (8224), since the faults seen were shape- and thread-dependent.
    private static readonly long[] ProbeTokens = [1, 7, 257, 1030, 2056, 4099, 8224];

    // Wrong kernels give errors of the size of the outputs themselves; correct ones differ in rounding only (~1e-6).
    private const double ProbeTolerance = 1e-4;

    private static readonly Lazy<jit.CompilationUnit> Compiled = new(() =>
    {
        TorchRuntime.EnsureInitialized();
        return jit.compile(Script);
    });

    /// <summary>Whether <see cref="Linear"/> takes this input: a CPU fp32 tensor with at least two dimensions.</summary>
    public static bool Supports(Tensor x) => x.device_type == DeviceType.CPU && x.dtype == ScalarType.Float32 && x.dim() >= 2;

    /// <summary>x·Wᵀ + b, as nn.functional.linear, without autograd; fp32 CPU tensors.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        using var contiguous = x.is_contiguous() ? x.alias() : x.contiguous();
        return bias is null
            ? (Tensor)Compiled.Value.invoke("linear_no_bias", contiguous, weight)
            : (Tensor)Compiled.Value.invoke("linear", contiguous, weight, bias);
    }

    /// <summary>
    /// Whether oneDNN's linear equals libtorch's (relative max error ≤ 1e-4) for every [in → out] shape, at several
    /// token counts and the current intra-op thread count, on seeded random inputs. Run it where the threads are set.
    /// </summary>
    public static bool AgreesWithLibTorch(IEnumerable<(long In, long Out)> shapes)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(7);
        foreach (var (inFeatures, outFeatures) in shapes.Distinct())
        {
            var weight = randn([outFeatures, inFeatures], generator: generator).TimesInPlace(0.02);
            var bias = randn([outFeatures], generator: generator);
            foreach (var tokens in ProbeTokens)
            {
                var x = randn([tokens, inFeatures], generator: generator);
                var expected = nn.functional.linear(x, weight, bias);
                var actual = Linear(x, weight, bias);
                var error = actual.sub(expected).abs_().max().item<float>();
                if (!(error <= ProbeTolerance * expected.abs().max().item<float>())) return false;
            }
        }
        return true;
    }
}
