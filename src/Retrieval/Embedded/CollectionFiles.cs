namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// Where a collection's files are (<c>{data}/collections/{name}/</c>), and how messages name them: relative to the
/// data directory, so that no server path reaches a caller.
/// </summary>
internal sealed record CollectionFiles(string DataDirectory, string Name)
{
    public string Directory => Path.Combine(DataDirectory, "collections", Name);

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>The file as messages name it, e.g. "collections/photos/points.log".</summary>
    public string Shown(string fileName) => $"collections/{Name}/{fileName}";
}
