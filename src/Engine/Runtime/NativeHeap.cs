using System.Runtime.InteropServices;

namespace EmbeddingService.Engine.Runtime;

/// <summary>
/// Keeps the resident size of a process running forwards flat. With glibc's default of one malloc arena per
/// thread, libtorch's worker threads free activation buffers into arenas that other threads then fail to
/// reuse, and the resident size climbs by ~250 MB over a few hundred ViT-S forwards before it levels off.
/// One arena removes that fragmentation, and measured here it was also slightly faster. Measured
/// alternatives: malloc_trim after every forward (flat, but 30% slower: the pages fault back in) and a
/// fixed mmap threshold (flat, but 40% slower).
/// </summary>
public static partial class NativeHeap
{
    private const int MArenaMax = -8;
    private const int MTrimThreshold = -1;
    private const int MMmapMax = -4;

    /// <summary>Limits glibc to one malloc arena; call before native threads start allocating. No-op off glibc.</summary>
    public static void UseSingleArena()
    {
        if (IsGlibc() && Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null)
            Mallopt(MArenaMax, 1);
    }

    /// <summary>
    /// Serves every allocation from the heap and never gives freed memory back to the system. glibc maps each block
    /// above 32 MB afresh and unmaps it on free, so every large temporary pays its page faults again: a training step
    /// makes dozens of [rows × 65536] logit tensors (160 MB each), and writing a fresh one cost 340 ms here against
    /// 26 ms for the same op into reused memory. For long-running training processes, whose working set repeats
    /// every step; the resident size then stays at its peak. No-op off glibc.
    /// </summary>
    public static void KeepFreedMemory()
    {
        if (!IsGlibc()) return;
        Mallopt(MMmapMax, 0);
        Mallopt(MTrimThreshold, int.MaxValue);
    }

    /// <summary>
    /// Gives the heap's free pages back to the system (malloc_trim); for after a forward larger than the usual ones.
    /// Measured here (ViT-S/14 random:0, CPU, one arena; a scratch xunit test timing ImageEmbedder.Embed and reading
    /// VmRSS, 2 shared cores): after 32×224 batches (8224 tokens) and one 1022×1022 image (5330 tokens) the resident
    /// size was 781 MB; the trim took 110 ms and left 463 MB; the next 32×224 batch took it back to 645 MB. Each
    /// trim after ordinary batches would pay those faults again (the 30% above). After full batches (embedctl bench
    /// --iterations 12 --threads 2, with and without --trim, two rounds on the 2-core EPYC VM): 32×224 (8224 tokens)
    /// keeps 468–481 MB resident and a trim after each takes 12–29 ms to leave 290 MB; 6×518 (8220 tokens) keeps
    /// 624–838 MB, and an 11–38 ms trim leaves 290 MB. A trim is under 1% of a full batch (5.7–5.9 s at best here);
    /// the faults it causes in the next batch were lost in the shared VM's noise (best 6×518 forward 5833 ms with
    /// trims, 5801 without; p50s moved 2× between runs of one setting). So the scheduler trims only once its queue
    /// is empty: never while busy, and the memory of a burst goes back when it ends. No-op off glibc.
    /// </summary>
    public static void ReleaseFreedMemory()
    {
        if (IsGlibc()) MallocTrim(0);
    }

    private static bool IsGlibc() =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "malloc_trim", out _);

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
