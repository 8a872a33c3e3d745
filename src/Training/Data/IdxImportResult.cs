namespace EmbeddingService.Training.Data;

/// <summary>What an <see cref="IdxImport"/> did: images and class folders, files written and files already right.</summary>
/// <param name="AlreadyComplete">The marker said this import was done and every file is present: nothing was read back or written.</param>
public sealed record IdxImportResult(int Images, IReadOnlyList<string> ClassFolders, int Written, int Unchanged, bool AlreadyComplete);
