using System.Diagnostics;
using System.Text.Json.Nodes;
using EmbeddingService.Retrieval;
using EmbeddingService.Retrieval.Embedded;
using EmbeddingService.Retrieval.Indexing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl bench-search --restart: an HNSW collection in an EmbeddedVectorStore (temp directory) filled with the
/// synthetic points, searched, closed (which saves its graph), reopened (log replay + graph load: the time until
/// it is ready) and searched again; recall@k against the exact answer before and after, and whether the hits are
/// identical, and how much of the restart reading the graph file takes. With --rebuild, the graph file is then deleted and the open that rebuilds it from the log is timed too.
/// </summary>
internal static class HnswRestartBench
{
    private const int IngestBatch = 10_000;

    public static async Task<JsonObject> RunAsync(SyntheticVectors vectors, int count, float[][] queries, int k, EmbeddedStoreOptions options, bool rebuild, CancellationToken cancellationToken)
    {
        var dimension = queries[0].Length;
        var truth = ExactTruth(vectors, count, queries, k, options.EffectiveSearchThreads);
        var directory = Directory.CreateTempSubdirectory("bench-search-restart-");
        var report = new JsonObject { ["points"] = count, ["connectivity"] = options.Hnsw.Connectivity, ["expansion_add"] = options.Hnsw.ExpansionAdd, ["expansion_search"] = options.Hnsw.ExpansionSearch };
        try
        {
            var model = new CollectionModel("synthetic", "none", "cls", "center-crop", 224, dimension);
            var watch = Stopwatch.StartNew();
            var store = await EmbeddedVectorStore.OpenAsync(directory.FullName, NullLogger.Instance, options, cancellationToken);
            await store.CreateCollectionAsync("bench", new CollectionSettings(model, IndexKind.Hnsw), cancellationToken);
            for (var start = 0; start < count; start += IngestBatch)
            {
                var batch = new VectorPoint[Math.Min(IngestBatch, count - start)];
                Parallel.For(0, batch.Length, i => batch[i] = new VectorPoint(IdOf(start + i), vectors.Row(0, start + i)));
                await store.UpsertAsync("bench", batch, cancellationToken);
            }
            report["ingest_and_build_s"] = Seconds(watch);
            var before = await SearchAsync(store, queries, k, report, "before_restart", truth);

            watch.Restart();
            await store.DisposeAsync();
            report["close_with_graph_save_s"] = Seconds(watch);
            var collection = Path.Combine(directory.FullName, "collections", "bench");
            report["log_mb"] = Megabytes(Path.Combine(collection, PointLog.FileName));
            report["graph_file_mb"] = Megabytes(Path.Combine(collection, GraphFile.FileName));

            watch.Restart();
            store = await EmbeddedVectorStore.OpenAsync(directory.FullName, NullLogger.Instance, options, cancellationToken);
            report["restart_ready_s"] = Seconds(watch);
            var after = await SearchAsync(store, queries, k, report, "after_restart", truth);
            report["hits_identical_after_restart"] = before.Zip(after).All(pair => pair.First.SequenceEqual(pair.Second));
            await store.DisposeAsync();
            report["graph_file_load_s"] = TimeGraphLoad(new CollectionFiles(directory.FullName, "bench"), dimension, options.Hnsw);

            if (rebuild)
            {
                File.Delete(Path.Combine(collection, GraphFile.FileName));
                watch.Restart();
                store = await EmbeddedVectorStore.OpenAsync(directory.FullName, NullLogger.Instance, options, cancellationToken);
                report["rebuild_ready_s"] = Seconds(watch);
                await SearchAsync(store, queries, k, report, "after_rebuild", truth);
                await store.DisposeAsync();
            }
            return report;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string IdOf(int row) => $"p{row:D8}";

    /// <summary>The part of the restart spent reading the graph file (checksum, key table, USearch's load); the rest is the log replay.</summary>
    private static double TimeGraphLoad(CollectionFiles files, int dimension, HnswParameters parameters)
    {
        var watch = Stopwatch.StartNew();
        var (graph, _) = GraphFile.Load(files, GraphFile.ReadHeader(files), dimension, parameters);
        graph.Dispose();
        return Seconds(watch);
    }

    /// <summary>The exact top-k ids of every query (the rows generated into a temporary arena, freed after).</summary>
    private static HashSet<string>[] ExactTruth(SyntheticVectors vectors, int count, float[][] queries, int k, int threads)
    {
        var arena = vectors.Arena(count);
        var found = ExactSearch.Run(arena, queries.Select(q => new ScanQuery(q, k, float.NegativeInfinity, _ => true)).ToArray(), IdOf, threads);
        return found.Select(hits => hits.Select(h => IdOf(h.Slot)).ToHashSet()).ToArray();
    }

    private static async Task<(string Id, float Score)[][]> SearchAsync(IVectorStore store, float[][] queries, int k, JsonObject report, string name, HashSet<string>[] truth)
    {
        var results = new (string, float)[queries.Length][];
        var milliseconds = new List<double>();
        for (var q = 0; q < queries.Length; q++)
        {
            var watch = Stopwatch.StartNew();
            var hits = await store.SearchAsync("bench", new SearchQuery(queries[q], K: k));
            milliseconds.Add(watch.Elapsed.TotalMilliseconds);
            results[q] = hits.Select(h => (h.Id, h.Score)).ToArray();
        }
        var recall = results.Select((hits, q) => hits.Count(h => truth[q].Contains(h.Item1)) / (double)truth[q].Count).Average();
        var sorted = milliseconds.Order().ToArray();
        report[name] = new JsonObject { [$"recall_at_{k}"] = Math.Round(recall, 4), ["ms_p50"] = Math.Round(sorted[sorted.Length / 2], 3), ["ms_max"] = Math.Round(sorted[^1], 3) };
        return results;
    }

    private static double Seconds(Stopwatch watch) => Math.Round(watch.Elapsed.TotalSeconds, 2);

    private static double Megabytes(string path) => Math.Round(new FileInfo(path).Length / 1048576.0, 1);
}
