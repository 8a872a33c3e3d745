using System.ComponentModel.DataAnnotations;
using EmbeddingService.Retrieval.Qdrant;

namespace EmbeddingService.Api.Collections;

/// <summary>Configuration section "Retrieval": which vector store holds the collections, and request limits.</summary>
public sealed class RetrievalOptions
{
    public const string Section = "Retrieval";
    public const string EmbeddedStore = "embedded";
    public const string QdrantStore = "qdrant";

    /// <summary>embedded (durable files under <see cref="DataDirectory"/>) or qdrant (<see cref="Qdrant"/>).</summary>
    [Required, RegularExpression("^(embedded|qdrant)$")]
    public string Store { get; set; } = EmbeddedStore;

    /// <summary>The embedded store's directory; relative paths are under the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The full path of <see cref="DataDirectory"/>.</summary>
    public string FullDataDirectory(string contentRoot) => Path.GetFullPath(DataDirectory, contentRoot);

    /// <summary>Hits per query when a search names no k.</summary>
    [Range(1, 100_000)]
    public int DefaultK { get; set; } = 10;

    [Range(1, 100_000)]
    public int MaxK { get; set; } = 1000;

    /// <summary>Points (vectors or images; images are also bounded by Serving:MaxImagesPerRequest) per upsert request.</summary>
    [Range(1, 1_000_000)]
    public int MaxPointsPerRequest { get; set; } = 10_000;

    /// <summary>Queries per batch search request (image queries are also bounded by Serving:MaxImagesPerRequest).</summary>
    [Range(1, 100_000)]
    public int MaxSearchesPerRequest { get; set; } = 1000;

    /// <summary>Threads one exact search of the embedded store is split across; 0 = one per core.</summary>
    [Range(0, 1024)]
    public int SearchThreads { get; set; }

    /// <summary>An embedded HNSW collection saves its graph (hnsw.graph) once this many points changed since the last save…</summary>
    [Range(1, long.MaxValue)]
    public long GraphSaveAfterChanges { get; set; } = 100_000;

    /// <summary>…or once writes pause this many seconds with a change unsaved (and always at a graceful shutdown).</summary>
    [Range(1, 86_400)]
    public int GraphSaveIdleSeconds { get; set; } = 30;

    /// <summary>The Qdrant server, when <see cref="Store"/> is qdrant.</summary>
    public QdrantStoreOptions Qdrant { get; set; } = new();
}
