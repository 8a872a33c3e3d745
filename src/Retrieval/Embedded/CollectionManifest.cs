using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>The contents of a collection's collection.json: what it was created with, and when.</summary>
internal sealed record CollectionManifest(int Format, CollectionModel Model, IndexKind Index, DateTimeOffset CreatedAt)
{
    public const int CurrentFormat = 1;
    public const string FileName = "collection.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public CollectionSettings Settings => new(Model, Index);

    public void Write(string directory) =>
        DurableFiles.WriteAtomically(Path.Combine(directory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Json));

    /// <summary>Reads a manifest; a missing, unreadable or unknown-format file is <see cref="RetrievalError.StoreCorrupt"/>.</summary>
    public static CollectionManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        CollectionManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CollectionManifest>(File.ReadAllBytes(path), Json);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            throw new RetrievalException(RetrievalError.StoreCorrupt, $"{path} cannot be read ({e.Message}); restore it from a backup or delete the collection", inner: e);
        }
        if (manifest is null || manifest.Model is null || manifest.Model.Dimension < 1 || manifest.Format != CurrentFormat)
            throw new RetrievalException(RetrievalError.StoreCorrupt, $"{path} is not a format-{CurrentFormat} collection manifest; restore it from a backup or delete the collection");
        return manifest;
    }
}
