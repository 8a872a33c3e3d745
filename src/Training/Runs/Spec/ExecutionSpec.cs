namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// execution: how the run is computed, not what it computes — left out of the spec hash, so a resumed run may change
/// them. Bit-identical resumption needs the same <see cref="Threads"/>.
/// </summary>
public sealed record ExecutionSpec
{
    /// <summary>
    /// Where the models and batches live: auto (CUDA when this build and machine have it, else the CPU), cpu, cuda or
    /// cuda:N. A run may resume on another device; it then continues the same run, though not bit-identically.
    /// </summary>
    public string Device { get; init; } = "auto";
    /// <summary>libtorch intra-op threads; default: libtorch's choice (one per core).</summary>
    public int? Threads { get; init; }
    public int DataWorkers { get; init; } = 2;
    public int PrefetchBatches { get; init; } = 4;
    /// <summary>
    /// NativeHeap.KeepFreedMemory: serve every allocation from the heap and keep freed memory. On by default for runs —
    /// a step's large temporaries (the [rows × K] head logits) then reuse memory instead of paying page faults on every
    /// fresh mapping (340 ms against 26 ms for one 160 MB logit tensor, measured in Engine's NativeHeap note); the
    /// resident size stays at its peak, which a process dedicated to one run can afford. Process-wide and not undone.
    /// </summary>
    public bool KeepFreedMemory { get; init; } = true;
    /// <summary>Wall-clock budget: the run stops at the first step boundary past it, checkpoints, exports and summarises.</summary>
    public double? MaxMinutes { get; init; }
}
