using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// The model the teacher's forward runs on: the fp32 teacher itself, or a copy in a lower precision refreshed from it
/// after every EMA update, so the EMA keeps accumulating in fp32 (the official FSDP keeps fp32 masters too).
/// </summary>
internal sealed class TeacherCompute : IDisposable
{
    private readonly SslModel _master;
    private readonly SslModel? _copy;

    public TeacherCompute(SslModel master, ScalarType? dtype)
    {
        _master = master;
        if (dtype is null || dtype == ScalarType.Float32) return;
        if (dtype is not (ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentException($"the teacher runs in float16, bfloat16 or float32, not {dtype}");
        _copy = master.EmptyCopy();
        _copy.to(master.Device);
        _copy.to(dtype.Value);
        _copy.Freeze();
        Refresh();
    }

    public SslModel Model => _copy ?? _master;

    /// <summary>The input in the compute type.</summary>
    public Tensor Input(Tensor x) => _copy is null ? x.alias() : x.to(_copy.Backbone.parameters().First().dtype);

    /// <summary>The output back in fp32 for the targets.</summary>
    public static Tensor Output(Tensor x) => x.dtype == ScalarType.Float32 ? x.alias() : x.to(ScalarType.Float32);

    public void Refresh()
    {
        if (_copy is null) return;
        using var noGrad = no_grad();
        var source = _master.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in _copy.named_parameters()) parameter.copy_(source[name]);
    }

    public void Dispose() => _copy?.Dispose();
}
