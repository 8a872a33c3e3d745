using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>How the objective is computed (not what it computes).</summary>
public sealed record SslComputeOptions
{
    /// <summary>
    /// Global and local crops through the student in one packed forward (the paper's recipe). False runs one forward per
    /// crop size, only to measure what packing saves.
    /// </summary>
    public bool PackStudentCrops { get; init; } = true;

    /// <summary>
    /// The teacher's compute type: null keeps the parameters' (fp32); Float16 / BFloat16 run the teacher from a
    /// low-precision copy by explicit casts (TorchSharp has no autocast), its outputs cast back to fp32 before the targets.
    /// For CUDA; CPUs gain little from it.
    /// </summary>
    public ScalarType? TeacherDtype { get; init; }
}
