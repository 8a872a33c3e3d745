using System.Runtime.InteropServices;
using TorchSharp;

namespace EmbeddingService.Engine.Runtime;

/// <summary>
/// Loads libtorch before anything else touches TorchSharp. When the native library cannot be loaded,
/// TorchSharp's own loader reports a misleading "missing package reference" and, worse, copies ~600 MB
/// of libtorch from the NuGet cache next to the application as a fallback. Loading it here first turns
/// that into one clear error carrying the dynamic loader's real reason.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool _initialized;

    public static string NativeLibraryName => OperatingSystem.IsWindows() ? "LibTorchSharp.dll"
        : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";

    /// <summary>Loads the native backend from the application directory; throws <see cref="TorchRuntimeException"/> on failure.</summary>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_initialized) return;
            NativeHeap.UseSingleArena();
            var directory = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;
            var path = FindNativeLibrary(directory)
                ?? throw new TorchRuntimeException(
                    $"{NativeLibraryName} was not found under {directory}; the TorchSharp native package (TorchSharp-cpu or TorchSharp-cuda-linux) is missing from this build.");
            try
            {
                NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new TorchRuntimeException(
                    $"libtorch could not be loaded from {path}: {e.Message}. If the message names GLIBCXX_3.4.32, the build step that adapts the library to an older libstdc++ did not run: rebuild with 'dotnet build'.", e);
            }
            torch.InitializeDeviceType(DeviceType.CPU);
            _initialized = true;
        }
    }

    private static string? FindNativeLibrary(string directory)
    {
        var flat = Path.Combine(directory, NativeLibraryName);
        if (File.Exists(flat)) return flat;
        var rid = RuntimeInformation.RuntimeIdentifier;
        var nested = Path.Combine(directory, "runtimes", rid, "native", NativeLibraryName);
        return File.Exists(nested) ? nested : null;
    }
}
