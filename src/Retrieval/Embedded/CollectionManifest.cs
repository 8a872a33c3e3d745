using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>The contents of a collection's collection.json: what it was created with, and when.</summary>
internal sealed record CollectionManifest(int Format, CollectionModel Model, IndexKind Index, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// Format 2: the log may hold grouped frames ("EVL2"), which versions that read format 1 would cut off as damage.
    /// A format-1 manifest is rewritten as 2 when its collection opens, before anything is appended, so those
    /// versions refuse the collection instead.
    /// </summary>
    public const int CurrentFormat = 2;

    private const int OldestFormat = 1;
    public const string FileName = "collection.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public CollectionSettings Settings => new(Model, Index);

    public void Write(string directory) =>
        DurableFiles.WriteAtomically(Path.Combine(directory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Json));

    /// <summary>Reads a manifest, rewriting an older format as <see cref="CurrentFormat"/>; a missing, unreadable or unknown-format file is <see cref="RetrievalError.StoreCorrupt"/>.</summary>
    public static CollectionManifest Read(CollectionFiles files)
    {
        var shown = files.Shown(FileName);
        CollectionManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CollectionManifest>(File.ReadAllBytes(files.PathOf(FileName)), Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // An IOException's message holds the absolute path; the JSON reader's names only the position.
            var why = e is JsonException ? e.Message : e.GetType().Name;
            throw new RetrievalException(RetrievalError.StoreCorrupt, $"collection '{files.Name}': {shown} cannot be read ({why}); restore it from a backup or delete the collection", inner: e);
        }
        if (manifest is null || manifest.Model is null || manifest.Model.Dimension < 1 || manifest.Format is < OldestFormat or > CurrentFormat)
            throw new RetrievalException(RetrievalError.StoreCorrupt,
                $"collection '{files.Name}': {shown} is not a collection manifest of format {OldestFormat} to {CurrentFormat}; restore it from a backup or delete the collection");
        if (manifest.Format == CurrentFormat) return manifest;
        var upgraded = manifest with { Format = CurrentFormat };
        upgraded.Write(files.Directory);
        return upgraded;
    }
}
