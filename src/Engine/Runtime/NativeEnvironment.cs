using System.Runtime.InteropServices;

namespace EmbeddingService.Engine.Runtime;

/// <summary>
/// Sets variables in the native process environment, where native libraries (OpenMP) read them when they
/// load; .NET's Environment.SetEnvironmentVariable only changes the managed copy on Unix.
/// </summary>
public static partial class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> unless the process was started with it; call before libtorch loads.</summary>
    public static void SetDefault(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is not null) return;
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows()) SetEnv(name, value, overwrite: 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
