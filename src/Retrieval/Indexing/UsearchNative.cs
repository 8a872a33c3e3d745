using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// The parts of USearch's C API that the managed USearchIndex does not expose (reserve with a thread count,
/// search expansion, memory usage, saving to and loading from a caller's buffer) or exposes only through per-call float[] copies. Every call reports failure
/// through <c>error</c>, a static C string.
/// </summary>
internal static class UsearchNative
{
    private const string Library = "libusearch_c";

    [DllImport(Library)] public static extern IntPtr usearch_init(ref IndexOptions options, out IntPtr error);
    [DllImport(Library)] public static extern void usearch_free(IntPtr index, out IntPtr error);
    [DllImport(Library)] public static extern UIntPtr usearch_size(IntPtr index, out IntPtr error);
    [DllImport(Library)] public static extern UIntPtr usearch_capacity(IntPtr index, out IntPtr error);
    [DllImport(Library)] public static extern UIntPtr usearch_memory_usage(IntPtr index, out IntPtr error);
    [DllImport(Library)] public static extern void usearch_reserve(IntPtr index, UIntPtr capacity, out IntPtr error);
    [DllImport(Library)] public static extern void usearch_change_threads_add(IntPtr index, UIntPtr threads, out IntPtr error);
    [DllImport(Library)] public static extern void usearch_change_threads_search(IntPtr index, UIntPtr threads, out IntPtr error);
    [DllImport(Library)] public static extern unsafe void usearch_add(IntPtr index, ulong key, float* vector, ScalarKind kind, out IntPtr error);
    [DllImport(Library)] public static extern UIntPtr usearch_remove(IntPtr index, ulong key, out IntPtr error);
    [DllImport(Library)] public static extern UIntPtr usearch_connectivity(IntPtr index, out IntPtr error);
    [DllImport(Library)] public static extern void usearch_change_expansion_add(IntPtr index, UIntPtr expansion, out IntPtr error);
    [DllImport(Library)] public static extern void usearch_change_expansion_search(IntPtr index, UIntPtr expansion, out IntPtr error);
    [DllImport(Library)] public static extern UIntPtr usearch_serialized_length(IntPtr index, out IntPtr error);
    [DllImport(Library)] public static extern unsafe void usearch_save_buffer(IntPtr index, byte* buffer, UIntPtr length, out IntPtr error);
    [DllImport(Library)] public static extern unsafe void usearch_load_buffer(IntPtr index, byte* buffer, UIntPtr length, out IntPtr error);
    [DllImport(Library)] public static extern unsafe UIntPtr usearch_search(IntPtr index, float* query, ScalarKind kind, UIntPtr count, ulong* keys, float* distances, out IntPtr error);

    public static void Check(IntPtr error, string operation)
    {
        if (error != IntPtr.Zero) throw new InvalidOperationException($"USearch {operation} failed: {Marshal.PtrToStringAnsi(error)}");
    }
}
