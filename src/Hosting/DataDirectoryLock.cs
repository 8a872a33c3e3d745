using Microsoft.Extensions.Options;

namespace EmbeddingService.Hosting;

/// <summary>
/// An exclusive lock on a lock file in a data directory, held until disposed: one process per directory (two trainer
/// workers on one job store would run a queued job twice; two API instances on one vector store overwrite each
/// other's logs and lose acknowledged writes). The kernel drops the lock when the process dies, kill -9 included.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _lock;

    private DataDirectoryLock(FileStream held) => _lock = held;

    /// <param name="directory">The data directory (created if missing).</param>
    /// <param name="lockFile">The lock file's name in it.</param>
    /// <param name="setting">The setting that names the directory (Trainer:DataDirectory), for the messages.</param>
    /// <param name="holder">What holds such a directory (trainer worker, API instance), for the messages.</param>
    /// <exception cref="OptionsValidationException">The directory cannot be created or written, or another process holds it; the message names <paramref name="setting"/>.</exception>
    public static DataDirectoryLock Acquire(string directory, string lockFile, string setting, string holder)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid(setting, $"cannot create '{directory}': {e.Message}");
        }
        var path = Path.Combine(directory, lockFile);
        try
        {
            // FileShare.None takes an exclusive flock() on Unix: a second open of the file, here or in another process, fails.
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw Invalid(setting, $"'{Path.GetFullPath(directory)}' is in use by another {holder} ({lockFile} is locked: {e.Message}); give each {holder} its own directory");
        }
        catch (UnauthorizedAccessException e)
        {
            throw Invalid(setting, $"cannot write '{path}': {e.Message}");
        }
    }

    public void Dispose() => _lock.Dispose();

    private static OptionsValidationException Invalid(string setting, string problem) =>
        new(setting, typeof(DataDirectoryLock), [$"{setting}: {problem}"]);
}
