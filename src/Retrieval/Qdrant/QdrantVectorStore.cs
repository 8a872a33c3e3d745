using Grpc.Core;
using Microsoft.Extensions.Logging;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>
/// <see cref="IVectorStore"/> on a Qdrant server over gRPC (Qdrant.Client). Collection "c" is the Qdrant collection
/// "{<see cref="QdrantStoreOptions.CollectionPrefix"/>}c" with one unnamed cosine vector of the model's dimension and
/// its model binding in the collection metadata (<see cref="QdrantCollectionBinding"/>); a point is keyed by the
/// UUIDv5 of its id (<see cref="QdrantPointIds"/>). Arguments are not checked here: use it behind
/// <see cref="ValidatingVectorStore"/>, which refuses bad ones before Qdrant is called. Calls that depend on the collection's model or index read its binding first (one
/// small round trip) instead of caching it, so that every API replica sees a collection another one re-created.
/// </summary>
public sealed class QdrantVectorStore : IVectorStore
{
    private readonly QdrantStoreOptions _options;
    private readonly string _url;
    private readonly QdrantChannel _channel;
    private readonly QdrantClient _client;

    /// <exception cref="ArgumentException">The options have problems (all of them are named).</exception>
    public QdrantVectorStore(QdrantStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        var problems = options.Problems();
        if (problems.Count > 0)
            throw new ArgumentException($"Invalid Qdrant store options: {string.Join("; ", problems)}", nameof(options));
        _options = options;
        _url = options.Address.GetLeftPart(UriPartial.Authority);
        _channel = QdrantChannel.ForAddress(options.Address, new ClientConfiguration
        {
            ApiKey = options.ApiKey,
            CertificateThumbprint = options.CertificateThumbprint,
        });
        _client = new QdrantClient(new QdrantGrpcClient(_channel), options.Timeout, loggerFactory);
    }

    public string Describe() => $"qdrant ({_url}, collections {_options.CollectionPrefix}*)";

    public async Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default)
    {
        // A concurrent create of the same name makes ours fail as existing: compare with theirs, once.
        for (var attempt = 0; ; attempt++)
        {
            if (await FindAsync(name, cancellationToken) is { } existing)
            {
                if (StoreFailures.Differences(existing.Settings, settings) is { } differences)
                    throw StoreFailures.CollectionExists(name, differences);
                return existing.Describe(name, await CountAsync(name, cancellationToken));
            }
            var binding = new QdrantCollectionBinding(settings.Model, settings.Index, DateTimeOffset.UtcNow);
            try
            {
                await CallAsync(name, cancellationToken, () => _client.CreateCollectionAsync(QdrantName(name),
                    new VectorParams { Size = (ulong)settings.Model.Dimension, Distance = Distance.Cosine },
                    binding.ToMetadata(), cancellationToken: cancellationToken));
                return binding.Describe(name, 0);
            }
            catch (RetrievalException e) when (e.Error == RetrievalError.CollectionExists && attempt == 0)
            {
            }
        }
    }

    public async Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken cancellationToken = default) =>
        await FindAsync(name, cancellationToken) is { } binding ? binding.Describe(name, await CountAsync(name, cancellationToken)) : null;

    public async Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken = default)
    {
        var qdrantNames = await CallAsync(null, cancellationToken, () => _client.ListCollectionsAsync(cancellationToken));
        var collections = new List<CollectionInfo>();
        foreach (var qdrantName in qdrantNames.Where(n => n.StartsWith(_options.CollectionPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = qdrantName[_options.CollectionPrefix.Length..];
            try
            {
                // One deleted between the listing and now is simply no longer there.
                if (await FindAsync(name, cancellationToken) is { } binding)
                    collections.Add(binding.Describe(name, await CountAsync(name, cancellationToken)));
            }
            catch (RetrievalException e) when (e.Error == RetrievalError.StoreCorrupt)
            {
                collections.Add(CorruptCollections.Listed(name, e.Message));
            }
        }
        return collections;
    }

    public async Task<bool> DeleteCollectionAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!await CallAsync(name, cancellationToken, () => _client.CollectionExistsAsync(QdrantName(name), cancellationToken)))
            return false;
        await CallAsync(name, cancellationToken, () => _client.DeleteCollectionAsync(QdrantName(name), cancellationToken: cancellationToken));
        return true;
    }

    public async Task UpsertAsync(string collection, IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken = default)
    {
        var binding = await BindingAsync(collection, cancellationToken);
        // All points are checked before the first batch is sent; a repeated id keeps its last point, as sequential upserts would.
        var qdrantPoints = new List<PointStruct>(points.Count);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < points.Count; i++)
        {
            var point = ToQdrant(points[i], i, collection, binding.Model);
            if (positions.TryGetValue(points[i].Id, out var earlier)) qdrantPoints[earlier] = point;
            else
            {
                positions[points[i].Id] = qdrantPoints.Count;
                qdrantPoints.Add(point);
            }
        }
        foreach (var batch in qdrantPoints.Chunk(_options.UpsertBatchSize))
        {
            var result = await CallAsync(collection, cancellationToken, () => _client.UpsertAsync(QdrantName(collection), batch, wait: true, cancellationToken: cancellationToken));
            if (result.Status != UpdateStatus.Completed)
                throw new RetrievalException(RetrievalError.Unavailable, $"Qdrant at {_url} did not complete the upsert into collection '{collection}' ({result.Status}).");
        }
    }

    public async Task<StoredPoint?> GetPointAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        var found = await CallAsync(collection, cancellationToken, () =>
            _client.RetrieveAsync(QdrantName(collection), QdrantPointIds.For(id), withPayload: true, withVectors: true, cancellationToken: cancellationToken));
        if (found.Count == 0) return null;
        var point = found[0];
        var vector = point.Vectors?.Vector?.GetDenseVector()
            ?? throw new RetrievalException(RetrievalError.StoreCorrupt, $"Point '{id}' of collection '{collection}' has no dense vector in Qdrant.");
        return new StoredPoint(QdrantPayloads.IdOf(point.Payload, collection), [.. vector.Data], QdrantPayloads.CallerPayload(point.Payload));
    }

    public async Task<int> DeletePointsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            await BindingAsync(collection, cancellationToken);
            return 0;
        }
        var candidates = ids.Distinct(StringComparer.Ordinal).Select(id => (PointId)QdrantPointIds.For(id)).ToList();
        var existing = await CallAsync(collection, cancellationToken, () =>
            _client.RetrieveAsync(QdrantName(collection), candidates, withPayload: false, withVectors: false, cancellationToken: cancellationToken));
        if (existing.Count == 0) return 0;
        await CallAsync(collection, cancellationToken, () =>
            _client.DeleteAsync(QdrantName(collection), existing.Select(p => p.Id).ToList(), wait: true, cancellationToken: cancellationToken));
        return existing.Count;
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string collection, SearchQuery query, CancellationToken cancellationToken = default) =>
        (await SearchAllAsync(collection, [query], inBatch: false, cancellationToken))[0];

    public Task<IReadOnlyList<IReadOnlyList<SearchHit>>> SearchBatchAsync(string collection, IReadOnlyList<SearchQuery> queries, CancellationToken cancellationToken = default) =>
        SearchAllAsync(collection, queries, inBatch: true, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <param name="inBatch">Whether errors name the offending query's index.</param>
    private async Task<IReadOnlyList<IReadOnlyList<SearchHit>>> SearchAllAsync(string collection, IReadOnlyList<SearchQuery> queries, bool inBatch, CancellationToken cancellationToken)
    {
        var binding = await BindingAsync(collection, cancellationToken);
        var requests = queries.Select((query, i) => ToQdrant(query, binding, collection, inBatch ? i : null)).ToList();
        if (requests.Count == 0) return [];
        var results = await CallAsync(collection, cancellationToken, () => _client.QueryBatchAsync(QdrantName(collection), requests, cancellationToken: cancellationToken));
        return results.Select(result => (IReadOnlyList<SearchHit>)result.Result
                .Select(p => new SearchHit(QdrantPayloads.IdOf(p.Payload, collection), p.Score, QdrantPayloads.CallerPayload(p.Payload)))
                .OrderByDescending(hit => hit.Score)
                .ThenBy(hit => hit.Id, StringComparer.Ordinal)
                .ToList())
            .ToList();
    }

    private QueryPoints ToQdrant(SearchQuery query, QdrantCollectionBinding binding, string collection, int? index)
    {
        StoreFailures.CheckQueryDimension(query, index, collection, binding.Model);
        var request = new QueryPoints
        {
            CollectionName = QdrantName(collection),
            Query = UnitVectors.Normalized(query.Vector.Span),
            Limit = (ulong)query.K,
            Filter = QdrantFilters.ToQdrant(query.Filter),
            WithPayload = new WithPayloadSelector { Enable = true },
            // Exact: a full scan. Hnsw and Auto: Qdrant's default, the HNSW graph once a segment is indexed and a scan below that.
            Params = binding.Index == IndexKind.Exact ? new SearchParams { Exact = true } : null,
        };
        if (query.ScoreThreshold is { } threshold) request.ScoreThreshold = threshold;
        return request;
    }

    private static PointStruct ToQdrant(VectorPoint point, int index, string collection, CollectionModel model)
    {
        StoreFailures.CheckPointDimension(point, index, collection, model);
        var qdrantPoint = new PointStruct
        {
            Id = QdrantPointIds.For(point.Id),
            Vectors = UnitVectors.Normalized(point.Vector.Span),
        };
        try
        {
            QdrantPayloads.Fill(qdrantPoint.Payload, point.Id, point.Payload);
        }
        catch (FormatException e)
        {
            throw new RetrievalException(RetrievalError.InvalidArgument, $"point {index} ('{point.Id}'): {e.Message}", index);
        }
        return qdrantPoint;
    }

    private string QdrantName(string name) => _options.CollectionPrefix + name;

    /// <summary>The collection's binding, or null when there is no such collection.</summary>
    private async Task<QdrantCollectionBinding?> FindAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return QdrantCollectionBinding.Read(await _client.GetCollectionInfoAsync(QdrantName(name), cancellationToken), name);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException e)
        {
            throw QdrantErrors.Translate(e, _url, name, cancellationToken);
        }
    }

    private async Task<QdrantCollectionBinding> BindingAsync(string name, CancellationToken cancellationToken) =>
        await FindAsync(name, cancellationToken)
        ?? throw StoreFailures.CollectionNotFound(name);

    private async Task<long> CountAsync(string name, CancellationToken cancellationToken) =>
        (long)await CallAsync(name, cancellationToken, () => _client.CountAsync(QdrantName(name), exact: true, cancellationToken: cancellationToken));

    /// <summary>Runs a Qdrant call, turning its failures into <see cref="RetrievalException"/>s about <paramref name="collection"/>.</summary>
    private async Task<T> CallAsync<T>(string? collection, CancellationToken cancellationToken, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            throw QdrantErrors.Translate(e, _url, collection, cancellationToken);
        }
        catch (QdrantException e)
        {
            throw new RetrievalException(RetrievalError.Unavailable,
                $"Qdrant at {_url} refused the call{(collection is null ? "" : $" on collection '{collection}'")}: {e.Message}", inner: e);
        }
    }

    private Task CallAsync(string collection, CancellationToken cancellationToken, Func<Task> call) =>
        CallAsync(collection, cancellationToken, async () =>
        {
            await call();
            return true;
        });
}
