using System.Runtime.InteropServices;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// Writes a file so that a crash (SIGKILL, power loss) leaves either the old state or the complete new file under its
/// name, never a partial one: write a temporary file beside it, fsync it, rename it over the name, fsync the folder
/// (the rename itself is durable only once the directory entry is).
/// </summary>
internal static partial class AtomicFile
{
    public static void Write(string path, Action<string> writeTo)
    {
        var temporary = path + ".partial";
        try
        {
            writeTo(temporary);
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
                stream.Flush(flushToDisk: true);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public static void WriteAllText(string path, string text) => Write(path, temporary => File.WriteAllText(temporary, text));

    /// <summary>fsync of a directory; a no-op where directories cannot be opened (Windows).</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try
        {
            Fsync(fd);
        }
        finally
        {
            Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
