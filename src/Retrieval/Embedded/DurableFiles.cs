using System.Runtime.InteropServices;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// The file-system steps that make a change survive a crash: file contents fsynced before a rename makes them
/// visible, and the directory fsynced after it so the rename itself is on disk.
/// </summary>
internal static partial class DurableFiles
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="contents"/> all at once: temp file, fsync, rename, fsync directory.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> contents)
    {
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(contents);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Makes the entries of a directory (files created, renamed or deleted in it) durable. A no-op on Windows, where NTFS journals them.</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (FSync(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>O_RDONLY | O_DIRECTORY on Linux.</summary>
    private const int ReadOnlyDirectory = 0x10000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
