namespace EmbeddingService.Trainer.Hosting;

/// <summary>
/// Holds an exclusive lock on the data directory's worker.lock for the worker's lifetime: two workers on one job store
/// would run the same queued job twice. The kernel drops the lock when the process dies, kill -9 included.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string LockFile = "worker.lock";

    private readonly FileStream _lock;

    private DataDirectoryLock(FileStream held) => _lock = held;

    public static DataDirectoryLock Acquire(string directory)
    {
        var key = TrainerOptionsReader.Key(nameof(TrainerOptions.DataDirectory));
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw TrainerOptionsReader.Invalid([$"{key}: cannot create '{directory}': {e.Message}"]);
        }
        var path = Path.Combine(directory, LockFile);
        try
        {
            // FileShare.None takes an exclusive flock() on Unix: a second open of the file, here or in another process, fails.
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw TrainerOptionsReader.Invalid([$"{key}: '{Path.GetFullPath(directory)}' is in use by another trainer worker ({LockFile} is locked: {e.Message}); give each worker its own directory"]);
        }
        catch (UnauthorizedAccessException e)
        {
            throw TrainerOptionsReader.Invalid([$"{key}: cannot write '{path}': {e.Message}"]);
        }
    }

    public void Dispose() => _lock.Dispose();
}
