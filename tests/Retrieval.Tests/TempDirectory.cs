namespace EmbeddingService.Retrieval.Tests;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("retrieval-tests-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
