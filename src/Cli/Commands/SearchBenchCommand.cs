using System.CommandLine;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using EmbeddingService.Retrieval;
using EmbeddingService.Retrieval.Embedded;
using EmbeddingService.Retrieval.Indexing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl bench-search: exact scan and HNSW search over synthetic unit vectors (latency, bytes/s against the
/// measured memory bandwidth, recall@k, build time, memory per vector) and durable ingestion into an
/// EmbeddedVectorStore. Prints one JSON object. The exact scan runs on --search-threads (and once on one thread for
/// comparison), single queries and batches sharing one pass; HNSW searches one query at a time; the graph builds on
/// --build-threads. --bandwidth measures only the streaming read rate (one thread and all of them).
/// </summary>
public static class SearchBenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench-search", "Measure vector search and durable ingestion; prints one JSON object");
        var count = new Option<int>("--count") { Description = "Stored vectors", DefaultValueFactory = _ => 1_000_000 };
        var dim = new Option<int>("--dim") { Description = "Vector dimension", DefaultValueFactory = _ => 384 };
        var queries = new Option<int>("--queries") { Description = "Timed queries", DefaultValueFactory = _ => 200 };
        var k = new Option<int>("--k") { Description = "Hits per query", DefaultValueFactory = _ => 10 };
        var data = new Option<string>("--data") { Description = "random or clustered", DefaultValueFactory = _ => "random" };
        var index = new Option<string>("--index") { Description = "exact, hnsw, both or none", DefaultValueFactory = _ => "both" };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic vectors", DefaultValueFactory = _ => 1 };
        var connectivity = new Option<int>("--connectivity") { Description = "HNSW neighbours per node (M)", DefaultValueFactory = _ => new HnswParameters().Connectivity };
        var expansionAdd = new Option<int>("--expansion-add") { Description = "HNSW efConstruction", DefaultValueFactory = _ => new HnswParameters().ExpansionAdd };
        var expansionSearch = new Option<int>("--expansion-search") { Description = "HNSW ef at search time", DefaultValueFactory = _ => new HnswParameters().ExpansionSearch };
        var buildThreads = new Option<int>("--build-threads") { Description = "Threads building the graph (default: one per core)" };
        var ingest = new Option<bool>("--ingest") { Description = "Also measure durable upserts into an EmbeddedVectorStore in a temp directory" };
        var ingestCount = new Option<int?>("--ingest-count") { Description = "Points to ingest (default: --count)" };
        var batch = new Option<int>("--batch") { Description = "Points per upsert call when ingesting", DefaultValueFactory = _ => 1000 };
        var writers = new Option<int>("--writers") { Description = "Concurrent upsert callers when ingesting", DefaultValueFactory = _ => 4 };
        var searchThreads = new Option<int>("--search-threads") { Description = "Threads one exact search is split across", DefaultValueFactory = _ => Environment.ProcessorCount };
        var queryBatch = new Option<int>("--query-batch") { Description = "Queries per batched exact search (one pass over the vectors)", DefaultValueFactory = _ => 16 };
        var bandwidth = new Option<bool>("--bandwidth") { Description = "Only measure the memory read rate over the vectors (streaming sum), one thread and --search-threads" };
        var restart = new Option<bool>("--restart") { Description = "Only measure an HNSW collection's restart: fill, search, close (graph saved), reopen, search again" };
        var rebuild = new Option<bool>("--rebuild") { Description = "With --restart, also time the open that rebuilds the graph from the log (its file deleted)" };
        foreach (var option in new Option[] { count, dim, queries, k, data, index, seed, connectivity, expansionAdd, expansionSearch, buildThreads, ingest, ingestCount, batch, writers, searchThreads, queryBatch, bandwidth, restart, rebuild })
            command.Options.Add(option);

        command.SetAction(async (result, cancellationToken) =>
        {
            var n = result.GetValue(count);
            var dimension = result.GetValue(dim);
            var queryCount = result.GetValue(queries);
            var hits = result.GetValue(k);
            var mode = result.GetValue(index);
            var threads = result.GetValue(searchThreads);
            var batchSize = result.GetValue(queryBatch);
            if (n < 1 || dimension < 1 || queryCount < 1 || hits < 1 || threads < 1 || batchSize < 1)
                throw new ArgumentException("--count, --dim, --queries, --k, --search-threads and --query-batch must be at least 1");
            if (mode is not ("exact" or "hnsw" or "both" or "none")) throw new ArgumentException($"--index must be exact, hnsw, both or none, not '{mode}'");
            var vectors = new SyntheticVectors(result.GetValue(data)!, dimension, result.GetValue(seed));
            var report = new JsonObject
            {
                ["command"] = "bench-search",
                ["count"] = n,
                ["dim"] = dimension,
                ["data"] = result.GetValue(data),
                ["k"] = hits,
                ["queries"] = queryCount,
                ["processors"] = Environment.ProcessorCount,
                ["search_threads"] = threads,
                ["simd_width"] = DotProducts.Width(dimension),
            };
            if (result.GetValue(restart))
            {
                var options = new EmbeddedStoreOptions
                {
                    Hnsw = new HnswParameters(result.GetValue(connectivity), result.GetValue(expansionAdd), result.GetValue(expansionSearch), result.GetValue(buildThreads)),
                    SearchThreads = threads,
                };
                var queryRows = Enumerable.Range(0, queryCount).Select(i => vectors.Row(1, i)).ToArray();
                report["restart"] = await HnswRestartBench.RunAsync(vectors, n, queryRows, hits, options, result.GetValue(rebuild), cancellationToken);
            }
            else if (result.GetValue(bandwidth))
            {
                var arena = vectors.Arena(n);
                report["memory_read_gb_per_s_1_thread"] = Math.Round(MeasureReadBandwidth(arena, 1) / 1e9, 2);
                report[$"memory_read_gb_per_s_{threads}_threads"] = Math.Round(MeasureReadBandwidth(arena, threads) / 1e9, 2);
            }
            else if (mode != "none")
            {
                var generated = Stopwatch.StartNew();
                var arena = vectors.Arena(n);
                report["generate_s"] = Math.Round(generated.Elapsed.TotalSeconds, 2);
                var queryRows = Enumerable.Range(0, queryCount).Select(i => vectors.Row(1, i)).ToArray();
                var allThreadsBandwidth = MeasureReadBandwidth(arena, threads);
                report["memory_read_gb_per_s_1_thread"] = Math.Round(MeasureReadBandwidth(arena, 1) / 1e9, 2);
                report[$"memory_read_gb_per_s_{threads}_threads"] = Math.Round(allThreadsBandwidth / 1e9, 2);
                var truth = MeasureExact(arena, queryRows, hits, threads, batchSize, allThreadsBandwidth, report, timed: mode is "exact" or "both");
                if (mode is "hnsw" or "both")
                {
                    var parameters = new HnswParameters(result.GetValue(connectivity), result.GetValue(expansionAdd), result.GetValue(expansionSearch), result.GetValue(buildThreads));
                    MeasureHnsw(arena, queryRows, hits, truth, parameters, report);
                }
            }
            if (result.GetValue(ingest))
                report["ingest"] = await MeasureIngestAsync(vectors, result.GetValue(ingestCount) ?? n, dimension, result.GetValue(batch), result.GetValue(writers), cancellationToken);
            Console.WriteLine(report.ToJsonString());
            return 0;
        });
        return command;
    }

    /// <summary>Read rate over the arena's own slabs (the bytes an exact scan streams) on <paramref name="threads"/> threads, best of five passes.</summary>
    private static double MeasureReadBandwidth(VectorArena arena, int threads)
    {
        var best = double.MaxValue;
        var sums = new float[arena.SlabCount];
        for (var pass = 0; pass < 5; pass++)
        {
            var watch = Stopwatch.StartNew();
            Parallel.For(0, arena.SlabCount, new ParallelOptions { MaxDegreeOfParallelism = threads }, slab => sums[slab] += TensorPrimitives.Sum(arena.Slab(slab, out _)));
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        GC.KeepAlive(sums);
        return (double)arena.RowCount * arena.Dimension * sizeof(float) / best;
    }

    /// <summary>
    /// Times the exact scan: single queries on <paramref name="threads"/> threads (p50, p99, GB/s), a few on one thread
    /// for comparison, and batches of <paramref name="batchSize"/> queries sharing one pass. Returns every query's hits.
    /// </summary>
    private static ScoredSlot[][] MeasureExact(VectorArena arena, float[][] queries, int k, int threads, int batchSize, double bandwidth, JsonObject report, bool timed)
    {
        string IdOf(int slot) => slot.ToString("D10");
        ScanQuery Scan(float[] q) => new(q, k, float.NegativeInfinity, _ => true);
        var results = new ScoredSlot[queries.Length][];
        var milliseconds = new List<double>();
        ExactSearch.Run(arena, [Scan(queries[0])], IdOf, threads);
        for (var q = 0; q < queries.Length; q++)
        {
            var watch = Stopwatch.StartNew();
            results[q] = ExactSearch.Run(arena, [Scan(queries[q])], IdOf, threads)[0];
            milliseconds.Add(watch.Elapsed.TotalMilliseconds);
        }
        if (!timed) return results;
        var bytes = (double)arena.RowCount * arena.Dimension * sizeof(float);
        var exact = Latencies(milliseconds);
        var p50Seconds = exact["ms_p50"]!.GetValue<double>() / 1000;
        exact["gb_per_s_at_p50"] = Math.Round(bytes / p50Seconds / 1e9, 2);
        exact["fraction_of_measured_bandwidth"] = Math.Round(bytes / p50Seconds / bandwidth, 2);

        var oneThread = new List<double>();
        for (var q = 0; q < Math.Min(20, queries.Length); q++)
        {
            var watch = Stopwatch.StartNew();
            ExactSearch.Run(arena, [Scan(queries[q])], IdOf, 1);
            oneThread.Add(watch.Elapsed.TotalMilliseconds);
        }
        exact["one_thread"] = Latencies(oneThread);

        var batches = new List<double>();
        for (var start = 0; start + batchSize <= queries.Length || batches.Count == 0; start += batchSize)
        {
            var batch = queries.Skip(start).Take(batchSize).Select(Scan).ToArray();
            var watch = Stopwatch.StartNew();
            var found = ExactSearch.Run(arena, batch, IdOf, threads);
            batches.Add(watch.Elapsed.TotalMilliseconds);
            for (var i = 0; i < batch.Length; i++)
                if (!found[i].SequenceEqual(results[start + i])) throw new InvalidOperationException($"batched query {start + i} differs from the same query searched alone");
        }
        var batched = Latencies(batches);
        batched["queries_per_batch"] = Math.Min(batchSize, queries.Length);
        batched["ms_per_query_at_p50"] = Math.Round(batched["ms_p50"]!.GetValue<double>() / Math.Min(batchSize, queries.Length), 3);
        batched["batches"] = batches.Count;
        exact["batched"] = batched;
        report["exact"] = exact;
        return results;
    }

    private static void MeasureHnsw(VectorArena arena, float[][] queries, int k, ScoredSlot[][] truth, HnswParameters parameters, JsonObject report)
    {
        using var graph = new HnswGraph(arena.Dimension, parameters);
        var build = Stopwatch.StartNew();
        graph.AddMany(arena, Enumerable.Range(0, arena.RowCount).Select(slot => ((ulong)slot, slot)).ToArray(), parameters.EffectiveBuildThreads);
        var buildSeconds = build.Elapsed.TotalSeconds;
        var keys = new ulong[k];
        var distances = new float[k];
        var milliseconds = new List<double>();
        var recall = 0.0;
        graph.Search(queries[0], keys, distances);
        for (var q = 0; q < queries.Length; q++)
        {
            var watch = Stopwatch.StartNew();
            var found = graph.Search(queries[q], keys, distances);
            milliseconds.Add(watch.Elapsed.TotalMilliseconds);
            recall += keys.Take(found).Select(key => (int)key).Intersect(truth[q].Select(s => s.Slot)).Count() / (double)truth[q].Length;
        }
        var hnsw = Latencies(milliseconds);
        hnsw["connectivity"] = parameters.Connectivity;
        hnsw["expansion_add"] = parameters.ExpansionAdd;
        hnsw["expansion_search"] = parameters.ExpansionSearch;
        hnsw["build_threads"] = parameters.EffectiveBuildThreads;
        hnsw["build_s"] = Math.Round(buildSeconds, 2);
        hnsw["build_vectors_per_s"] = Math.Round(arena.RowCount / buildSeconds);
        hnsw["memory_bytes_per_vector"] = Math.Round((double)graph.MemoryBytes / arena.RowCount, 1);
        hnsw["graph_bytes_per_vector_beyond_f32"] = Math.Round((double)graph.MemoryBytes / arena.RowCount - arena.Dimension * sizeof(float), 1);
        hnsw[$"recall_at_{k}"] = Math.Round(recall / queries.Length, 4);
        report["hnsw"] = hnsw;
    }

    private static async Task<JsonObject> MeasureIngestAsync(SyntheticVectors vectors, int count, int dimension, int batchSize, int writers, CancellationToken cancellationToken)
    {
        if (batchSize < 1 || writers < 1) throw new ArgumentException("--batch and --writers must be at least 1");
        var directory = Directory.CreateTempSubdirectory("bench-search-ingest-");
        try
        {
            var model = new CollectionModel("synthetic", "none", "cls", "center-crop", 224, dimension);
            var batches = Enumerable.Range(0, (count + batchSize - 1) / batchSize)
                .Select(b => Enumerable.Range(b * batchSize, Math.Min(batchSize, count - b * batchSize)).Select(i => new VectorPoint($"p{i}", vectors.Row(0, i))).ToArray())
                .ToArray();
            await using var store = await EmbeddedVectorStore.OpenAsync(directory.FullName, NullLogger.Instance, cancellationToken: cancellationToken);
            await store.CreateCollectionAsync("ingest", new CollectionSettings(model, IndexKind.Exact), cancellationToken);
            var next = -1;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
            {
                for (var b = Interlocked.Increment(ref next); b < batches.Length; b = Interlocked.Increment(ref next))
                    await store.UpsertAsync("ingest", batches[b], cancellationToken);
            }, cancellationToken)));
            var seconds = watch.Elapsed.TotalSeconds;
            return new JsonObject
            {
                ["points"] = count,
                ["batch"] = batchSize,
                ["writers"] = writers,
                ["index"] = "exact",
                ["seconds"] = Math.Round(seconds, 2),
                ["points_per_s"] = Math.Round(count / seconds),
                ["log_mb"] = Math.Round(new FileInfo(Path.Combine(directory.FullName, "collections", "ingest", "points.log")).Length / 1048576.0, 1),
            };
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static JsonObject Latencies(List<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        return new JsonObject
        {
            ["ms_p50"] = Math.Round(sorted[sorted.Length / 2], 3),
            ["ms_p99"] = Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.99) - 1)], 3),
            ["ms_mean"] = Math.Round(sorted.Average(), 3),
        };
    }
}
